import type { RemoteTarget } from "../commands/remote.js";
import type { ExitCodes } from "./act.js";

/** What every command group needs from the program: the global options, read when a command runs, and `act`. */
export interface ProgramContext {
  /** `--home`, when given. */
  home(): string | undefined;
  /** The remote API when --url or CLAUDE_AGENT_URL names one (commands/remote.ts), else null. */
  remote(): Promise<{ target: RemoteTarget; commands: typeof import("../commands/remote.js") } | null>;
  /** Wraps every `.action(...)`: keeps the exit code its command returns (act.ts). */
  act: ExitCodes["act"];
}

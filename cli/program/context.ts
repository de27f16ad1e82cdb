import type { RemoteTarget } from "../commands/remote.js";

/** What every command group needs from the program: the global options, read when a command runs. */
export interface ProgramContext {
  /** `--home`, when given. */
  home(): string | undefined;
  /** The remote API when --url or CLAUDE_AGENT_URL names one (commands/remote.ts), else null. */
  remote(): Promise<{ target: RemoteTarget; commands: typeof import("../commands/remote.js") } | null>;
}

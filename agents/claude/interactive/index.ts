import type { InteractiveProgram, InteractiveProgramDeps } from "../../interactive-program.js";
import { InteractiveClaude } from "./sessions.js";
import { InteractiveTransport } from "./transport.js";

/** Claude Code's TUI as the pane's program: its sessions (sessions.ts) and its transport (transport.ts). */
export function interactiveClaude(deps: InteractiveProgramDeps): InteractiveProgram {
  const claude = new InteractiveClaude(deps);
  const transport = new InteractiveTransport({ claude, conversations: deps.conversations, jobsDir: deps.jobsDir, log: deps.log, prompts: deps.prompts });
  return {
    handles: (agent) => claude.handles(agent),
    launch: (pane, cwd, alive) => claude.launch(pane, cwd, alive),
    started: (pane, created) => claude.started(pane, created),
    setState: (pane, state) => claude.setState(pane, state),
    transport,
    close: () => {
      transport.close();
      claude.close();
    },
  };
}

import type { AgentRuntime } from "../runtime.js";

/**
 * The plain shell: the task is the bash text a dispatch runs (shell/rc.ts
 * `ca-run`), so its script is the task itself and it has no event stream.
 */
export const shellRuntime: AgentRuntime = {
  name: "shell",
  defaultMode: "headless",
  unversioned: true,
  structured: false,
  buildScript: (job) => job.task,
  parseEvents: () => ({ answer: "", events: 0 }),
  renderEvent: (line) => `${line}\n`,
};

export { SessionSupervisor, type SupervisorDeps } from "./supervisor.js";
export { TmuxWatch } from "./tmux-watch.js";

export { shellCommand, type ShellPaths } from "./shell/runtime.js";
export { parseShellMarker, type ShellMarker } from "./shell/markers.js";
export {
  writeDispatch,
  inspectDispatch,
  withdrawDispatch,
  readExitCode,
  removeDispatch,
  readNonce,
  agentJobFiles,
  writePrompt,
  type Dispatch,
  type DispatchState,
} from "./shell/job-files.js";
export { runtimeAdapter, isRuntimeName } from "./registry.js";
export { renderScriptPath, shellQuote } from "./script.js";
export type { AgentJob, AgentOutcome, AgentRuntime, ScriptPaths } from "./runtime.js";

export { shellCommand, type ShellPaths } from "./shell/runtime.js";
export { parseShellMarker, type ShellMarker } from "./shell/markers.js";
export {
  writeDispatch,
  inspectDispatch,
  withdrawDispatch,
  readExitCode,
  removeDispatch,
  readNonce,
  type Dispatch,
  type DispatchState,
} from "./shell/job-files.js";

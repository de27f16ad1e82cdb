export { shellCommand, type ShellPaths } from "./shell/runtime.js";
export { parseShellMarker, type ShellMarker } from "./shell/markers.js";
export { proseHint } from "./shell/prose-hint.js";
export {
  writeDispatch,
  inspectDispatch,
  withdrawDispatch,
  readExitCode,
  removeDispatch,
  removeTaskDispatches,
  readNonce,
  scriptFile,
  runsFromFile,
  jobFile,
  agentJobFiles,
  writePrompt,
  policyFile,
  type Dispatch,
  type DispatchState,
} from "./shell/job-files.js";
export { runtimeAdapter, isRuntimeName, interactivePrograms, registerRuntime, type RuntimeDefinition } from "./registry.js";
export type { InteractiveProgram, InteractivePrograms, InteractiveProgramDeps, ProgramLaunch } from "./interactive-program.js";
export { renderScriptPath, shellQuote } from "./script.js";
export { writeRoleFile, roleFileOf } from "./role-files.js";
export type { AgentJob, AgentOutcome, AgentRuntime, ScriptPaths } from "./runtime.js";
export { MAX_TOOL_CALLS, type ToolCall } from "./tool-calls.js";
export {
  interactiveArgv,
  HOOK_FILE_VAR,
  APPROVE_KEY,
  APPROVING_OPTION,
  DENYING_OPTION,
  INTERRUPT_KEY,
  type InteractiveLaunch,
} from "./claude/interactive/launch.js";
export { resultsDir } from "./claude/interactive/sessions.js";
export { askChannelDir, requestsDir, answersDir, commandDigest, CALL_ID, MAX_REQUEST_BYTES, type AskAnswerFile } from "./policy-hook/ask-channel.js";
export { asksInHook } from "./policy-hook/programs.js";
export {
  PaneUnusable,
  type Adopted,
  type AgentPane,
  type Conversations,
  type EndedTurn,
  type Found,
  type Interrupted,
  type PreparedTurn,
  type ResultFields,
  type RunningTurn,
  type Transport,
  type TurnReport,
  type UsageFields,
  type TurnSpec,
} from "./transport.js";
export { prepareInteractiveConfig, conversationExists, type InteractiveConfig } from "./claude/config-dir.js";
export { parseHookLine, parseHookLines, questionOf, type ClaudeHookEvent } from "./claude/hook-events.js";
export { interactivePrompt, RESULT_SUFFIX } from "./claude/prompt.js";
export { readTurn, type TurnUsage } from "./claude/transcript.js";
export { readClaudeScreen, isLoginMessage, type ScreenReading, type ScreenState } from "./claude/screen-state.js";
export { isLimitMessage, isLostConversation, clip, clipAnswer } from "./events.js";
export { findNode, cacheRoot, nodeVersionOf, nodeSatisfies, programEngines, programKind, type FoundNode } from "./node-runtime.js";
export { findExecutable, pathDirs } from "./executables.js";
export { probeVersion, type ProbeOptions } from "./versions.js";
export { VersionCache, type VersionCacheOptions } from "./version-cache.js";
export { DriftMonitor, DEFAULT_DRIFT, describeDrift, type DriftSign, type DriftSettings, type DriftVerdict } from "./drift.js";
export {
  agentLogin,
  checkAuth,
  seedLogin,
  seedStateFile,
  loginSpec,
  LOGIN_SPECS,
  type AgentLogin,
  type AuthStatus,
  type SeedReport,
  type LoginSpec,
} from "./login/index.js";

export { Bridge, type BridgeOptions } from "./bridge.js";
export { DEFAULT_TUNING, tuningFromEnv, type BridgeTuning } from "./tuning.js";
export { readOutputForResult, OUTPUT_EDGE_BYTES } from "./output.js";
export { Worktrees, worktreesDir, branchFor, agentOfSession, WIP_REF_PREFIX, type WorktreeInfo, type Removal } from "./worktrees.js";
export { bwrapProbeArgs } from "./sandbox-plan.js";
export type { PromptContext } from "./dispatch/program-jobs.js";
export { agentEnvironment } from "./agent-env.js";

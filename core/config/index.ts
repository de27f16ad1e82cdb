export * from "./types.js";
export { addRuntimeName, isKnownRuntime, knownRuntimes } from "./runtimes.js";
export { configDigest, configFromObject, findConfigFile, loadConfig, parseConfig, CONFIG_FILE_NAME } from "./load.js";
export type { LoadOptions, ParseOptions } from "./load.js";
export { configTemplate, TEMPLATES, type ProgramExample, type ProgramRuntime, type TemplateName, type TemplateOptions } from "./template.js";
export { DEVOPS_ASK, DEVOPS_DENY } from "./template-devops.js";
export { repositoryProblem } from "./git-rules.js";
export { hasCommit, startProblems } from "./cwd-rules.js";
export { rawRunBudgetSchema, normalizeRunBudget } from "./budget-rules.js";
export { durationMs, formatDuration } from "./retention.js";
export { isLoopback, parseListen } from "./api.js";
export { API_URL_EXPECTED, parseApiUrl } from "./api-url.js";
export { DEFAULT_HISTORY_RETENTION_MS, DEFAULT_MEMORY_MAX_CHARS, DEFAULT_MEMORY_TOP_K } from "./history-rules.js";
export { resolveRole, shippedRoles, shippedRolesDir, ROLE_DELIVERY, MAX_ROLE_BYTES, type RoleConfig } from "./roles.js";
export {
  DEFAULT_NOTIFY_RATE_PER_MINUTE,
  expandVariables,
  isWebhookUrl,
  NOTIFY_EVENTS,
  NOTIFY_TARGET_TYPES,
  variablesIn,
  type CommandTarget,
  type DesktopTarget,
  type NotifyEventName,
  type NotifyTarget,
  type NotifyTargetType,
  type WebhookTarget,
} from "./notify-rules.js";
export { accountConfigDir, agentEnvs } from "./accounts-rules.js";
export { HOST_NAME, HOST_NAME_EXPECTED, LABEL, LABEL_EXPECTED, SSH_TARGET } from "./host-rules.js";
export { parseSentinelAddress } from "./redis-rules.js";

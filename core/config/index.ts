export * from "./types.js";
export { configFromObject, findConfigFile, loadConfig, parseConfig, CONFIG_FILE_NAME } from "./load.js";
export type { LoadOptions, ParseOptions } from "./load.js";
export { configTemplate, type ProgramExample } from "./template.js";
export { durationMs, formatDuration } from "./retention.js";
export { isLoopback, parseListen } from "./api.js";
export { DEFAULT_HISTORY_RETENTION_MS, DEFAULT_MEMORY_MAX_CHARS, DEFAULT_MEMORY_TOP_K } from "./history-rules.js";
export { resolveRole, shippedRoles, shippedRolesDir, ROLE_DELIVERY, MAX_ROLE_BYTES, type RoleConfig } from "./roles.js";

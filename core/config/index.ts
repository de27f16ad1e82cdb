export * from "./types.js";
export { configFromObject, findConfigFile, loadConfig, parseConfig, CONFIG_FILE_NAME } from "./load.js";
export type { LoadOptions, ParseOptions } from "./load.js";
export { configTemplate, TEMPLATES, type ProgramExample, type ProgramRuntime, type TemplateName, type TemplateOptions } from "./template.js";
export { DEVOPS_DENY } from "./template-devops.js";
export { durationMs, formatDuration } from "./retention.js";
export { isLoopback, parseListen } from "./api.js";
export { DEFAULT_HISTORY_RETENTION_MS, DEFAULT_MEMORY_MAX_CHARS, DEFAULT_MEMORY_TOP_K } from "./history-rules.js";
export { resolveRole, shippedRoles, shippedRolesDir, ROLE_DELIVERY, MAX_ROLE_BYTES, type RoleConfig } from "./roles.js";

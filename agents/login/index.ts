export { LOGIN_SPECS, loginSpec, ownKeys, type LoginRuntime, type LoginSpec, type SeedFile, type SeedFields } from "./specs.js";
export { seedLogin, seedStateFile, type SeedOptions, type SeedReport } from "./seed.js";
export { checkAuth, type AuthOptions, type AuthStatus } from "./check.js";
export { agentLogin, type AgentLogin } from "./agent-login.js";

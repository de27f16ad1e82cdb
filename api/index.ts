export { startApi, readApiRunFile, apiRunFile, type StartApiOptions, type RunningApi } from "./listen.js";
export { TokenStore, DEFAULT_SCOPES, hashToken, type TokenInfo, type CreatedToken } from "./auth/tokens.js";
export { ensureDefaultToken, tokenFile } from "./auth/default-token.js";
export { LocalControl } from "./control/local.js";
export type { ControlPlane } from "./control/types.js";
/** `claude-agent mcp`'s server (the MCP SDK is loaded only then). */
export async function serveMcpStdio(...args: Parameters<typeof import("./mcp/stdio.js").serveMcpStdio>): Promise<void> {
  return (await import("./mcp/stdio.js")).serveMcpStdio(...args);
}
export { SCOPES, type Scope } from "./http/route.js";
export type { ComponentProbe, Component } from "./health.js";
export type { HistoryReader, HistoryTaskQuery, HistoryTaskPage, HistoryTaskDetail } from "./schemas/history.js";
export { LoginCodes, CODE_TTL_MS, type CreatedCode, type LoginGrant } from "./web/login-codes.js";

import { closeSync, existsSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { SCOPES } from "../http/route.js";
import type { TokenStore } from "./tokens.js";

export function tokenFile(home: string): string {
  return join(home, "api.token");
}

/**
 * The first `up` creates a token named "default" with every scope and writes
 * it to `$CLAUDE_AGENT_HOME/api.token` (mode 0600, created exclusively). Only
 * when the file is absent and the swarm has no token at all: a revoked
 * default is never brought back.
 */
export async function ensureDefaultToken(store: TokenStore, home: string): Promise<string | null> {
  const file = tokenFile(home);
  if (existsSync(file) || (await store.count()) > 0) return null;
  const created = await store.create("default", SCOPES);
  const fd = openSync(file, "wx", 0o600);
  try {
    writeSync(fd, `${created.token}\n`);
  } finally {
    closeSync(fd);
  }
  return file;
}

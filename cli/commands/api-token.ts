import { print, printError } from "../output.js";
import { readFileSync, rmSync } from "node:fs";
import { DEFAULT_SCOPES, hashToken, TokenStore, tokenFile } from "../../api/index.js";
import { UsageError } from "../../core/index.js";
import { homeOf, printJson, withSwarm, type GlobalOptions } from "../context.js";
import { table } from "../format.js";
import { clientInternals, type SwarmClient } from "../../client/index.js";

export interface TokenCreateOptions extends GlobalOptions {
  name?: string;
  readOnly?: boolean;
  scope?: string[];
  json?: boolean;
}

/** `api token create`: the plaintext is printed once; only its hash is stored. */
export async function create(options: TokenCreateOptions): Promise<void> {
  if (!options.name) throw new UsageError("--name is required", { hint: "claude-agent api token create --name ci --scope read,submit" });
  if (options.readOnly && options.scope) throw new UsageError("--read-only and --scope: give one of them");
  const scopes = options.readOnly
    ? ["read"]
    : options.scope
      ? options.scope
          .flatMap((s) => s.split(","))
          .map((s) => s.trim())
          .filter(Boolean)
      : [...DEFAULT_SCOPES];
  await withSwarm(options, async (swarm) => {
    const created = await tokenStore(swarm.client).create(options.name!, scopes);
    if (options.json) return printJson(created);
    print(`${created.token}\n`);
    printError(`token "${created.name}" (${created.scopes.join(", ")}): shown once, store it now; revoke: claude-agent api token revoke ${created.name}\n`);
  });
}

export async function list(options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withSwarm(options, async (swarm) => {
    const tokens = await tokenStore(swarm.client).list();
    if (options.json) return printJson(tokens);
    if (tokens.length === 0) return void print("no API tokens\n");
    print(
      `${table(
        ["NAME", "ID", "SCOPES", "CREATED"],
        tokens.map((t) => [t.name, t.id, t.scopes.join(","), t.createdAt]),
      )}\n`,
    );
  });
}

/** Revokes a token by name or id; the home's api.token goes too when it held that token. */
export async function revoke(nameOrId: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withSwarm(options, async (swarm) => {
    const revoked = await tokenStore(swarm.client).revoke(nameOrId);
    const file = tokenFile(homeOf(options).root);
    let removedFile = false;
    try {
      if (hashToken(readFileSync(file, "utf8").trim()).slice(0, 12) === revoked.id) {
        rmSync(file, { force: true });
        removedFile = true;
      }
    } catch {
      // no api.token in this home
    }
    if (options.json) return printJson({ revoked, removedFile: removedFile ? file : null });
    print(`revoked token "${revoked.name}" (${revoked.id})${removedFile ? `; removed ${file}` : ""}\n`);
  });
}

/** The swarm's API tokens (their Redis hash is api/'s, read with the client's connection). */
function tokenStore(client: SwarmClient): TokenStore {
  const { redis, keys } = clientInternals(client);
  return new TokenStore(redis, keys.prefix);
}

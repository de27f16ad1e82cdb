/**
 * API tokens, stored hashed in Redis under the swarm's key prefix (so every
 * host of a swarm sees the same tokens): `<prefix>:api:tokens` maps the
 * SHA-256 of a token to its record, `<prefix>:api:token-names` a name to that
 * hash. The plaintext exists only in the answer to `create` (and, for the
 * first token, in `$CLAUDE_AGENT_HOME/api.token`, mode 0600). A token is 32
 * random bytes, so a plain SHA-256 is enough: there is nothing to brute-force.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { NotFoundError, UsageError } from "../../core/index.js";
import { SCOPES, type Scope } from "../http/route.js";

export interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly createdAt: string;
}

export interface CreatedToken extends TokenInfo {
  /** Shown once; only its hash is kept. */
  readonly token: string;
}

const TOKEN_SHAPE = /^cat_[A-Za-z0-9_-]{43}$/;
const NAME_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Scopes a token gets when none are named: everything but the web terminal. */
export const DEFAULT_SCOPES: readonly Scope[] = ["read", "submit", "control"];
/** A verified token is trusted this long without asking Redis again; a revoked one stops working within it. */
const CACHE_MS = 1000;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export class TokenStore {
  private readonly tokensKey: string;
  private readonly namesKey: string;
  private readonly cache = new Map<string, { info: TokenInfo | null; until: number }>();

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.tokensKey = `${prefix}:api:tokens`;
    this.namesKey = `${prefix}:api:token-names`;
  }

  async create(name: string, scopes: readonly string[] = DEFAULT_SCOPES): Promise<CreatedToken> {
    if (!NAME_SHAPE.test(name)) throw new UsageError(`--name: expected letters, digits, ".", "_" or "-" (at most 64), got ${JSON.stringify(name)}`);
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (unknown.length > 0) throw new UsageError(`--scope: unknown scope ${unknown.map((s) => JSON.stringify(s)).join(", ")}; scopes are ${SCOPES.join(", ")}`);
    if (scopes.length === 0) throw new UsageError("--scope: a token needs at least one scope");
    const token = `cat_${randomBytes(32).toString("base64url")}`;
    const hash = hashToken(token);
    const info: TokenInfo = { id: hash.slice(0, 12), name, scopes: SCOPES.filter((s) => scopes.includes(s)), createdAt: new Date().toISOString() };
    // Claim the name first (HSETNX): two creators of one name cannot both win.
    if ((await this.redis.hsetnx(this.namesKey, name, hash)) === 0) {
      throw new UsageError(`a token named "${name}" exists already`, { hint: "Revoke it first (`claude-agent api token revoke NAME`) or pick another name." });
    }
    await this.redis.hset(this.tokensKey, hash, JSON.stringify(info));
    return { ...info, token };
  }

  /** The token's record, or null for a token that is malformed, unknown or revoked. */
  async verify(token: string): Promise<TokenInfo | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const hash = hashToken(token);
    const hit = this.cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.info;
    const raw = await this.redis.hget(this.tokensKey, hash);
    const info = raw ? parseInfo(raw) : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { info, until: Date.now() + CACHE_MS });
    return info;
  }

  async list(): Promise<TokenInfo[]> {
    const all = await this.redis.hvals(this.tokensKey);
    return all
      .map(parseInfo)
      .filter((info): info is TokenInfo => info !== null)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Revokes by name or id; returns the revoked token's record. */
  async revoke(nameOrId: string): Promise<TokenInfo> {
    const byName = await this.redis.hget(this.namesKey, nameOrId);
    let hash = byName;
    if (!hash) {
      const entries = await this.redis.hgetall(this.tokensKey);
      hash = Object.keys(entries).find((h) => h.slice(0, 12) === nameOrId) ?? null;
    }
    const raw = hash ? await this.redis.hget(this.tokensKey, hash) : null;
    const info = raw ? parseInfo(raw) : null;
    if (!hash || !info) throw new NotFoundError(`no token named "${nameOrId}"`, { hint: "`claude-agent api token list` shows the tokens." });
    await this.redis.multi().hdel(this.tokensKey, hash).hdel(this.namesKey, info.name).exec();
    this.cache.delete(hash);
    return info;
  }

  async count(): Promise<number> {
    return this.redis.hlen(this.tokensKey);
  }
}

function parseInfo(raw: string): TokenInfo | null {
  try {
    const value = JSON.parse(raw) as Partial<TokenInfo>;
    if (typeof value.id !== "string" || typeof value.name !== "string" || !Array.isArray(value.scopes)) return null;
    return {
      id: value.id,
      name: value.name,
      scopes: value.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)),
      createdAt: String(value.createdAt ?? ""),
    };
  } catch {
    return null;
  }
}

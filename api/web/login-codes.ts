/**
 * One-time login codes for the web dashboard. `claude-agent web` creates one
 * (it can reach the swarm's Redis, so it speaks for the home's owner); the
 * login page exchanges it once for a session cookie. Only the code's SHA-256
 * is stored, under `<prefix>:web:code:<hash>`, with a 2-minute expiry; GETDEL
 * consumes it atomically, so two logins racing with one code cannot both win.
 * 12 characters of a 32-letter alphabet are 60 bits: with the code alive for
 * 2 minutes and the API's per-client rate limit, guessing is hopeless.
 */
import { createHash, randomInt } from "node:crypto";
import type { Redis } from "ioredis";
import { UsageError } from "../../core/index.js";
import { SCOPES, type Scope } from "../http/route.js";

/** Crockford's base 32: no I, L, O or U to misread. */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const CODE_TTL_MS = 120_000;
const CODE_SHAPE = /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/;

export interface LoginGrant {
  readonly scopes: readonly Scope[];
  /** Who asked for the code (`user@host`): the web session acts under this name in the audit log. */
  readonly actor: string;
}

export interface CreatedCode {
  readonly code: string;
  readonly expiresAt: string;
}

export class LoginCodes {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async create(grant: { readonly scopes: readonly string[]; readonly actor: string }, ttlMs = CODE_TTL_MS): Promise<CreatedCode> {
    const unknown = grant.scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (unknown.length > 0) throw new UsageError(`--scope: unknown scope ${unknown.map((s) => JSON.stringify(s)).join(", ")}; scopes are ${SCOPES.join(", ")}`);
    if (grant.scopes.length === 0) throw new UsageError("--scope: a login needs at least one scope");
    let raw = "";
    for (let i = 0; i < 12; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
    const code = `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
    const value = JSON.stringify({ scopes: SCOPES.filter((s) => grant.scopes.includes(s)), actor: grant.actor.slice(0, 200) });
    await this.redis.set(this.key(code), value, "PX", ttlMs);
    return { code, expiresAt: new Date(Date.now() + ttlMs).toISOString() };
  }

  /** The code's grant, once; null for a malformed, unknown, expired or already used code. */
  async consume(code: string): Promise<LoginGrant | null> {
    const normal = normalise(code);
    if (!CODE_SHAPE.test(normal)) return null;
    const raw = await this.redis.getdel(this.key(normal));
    if (!raw) return null;
    try {
      const value = JSON.parse(raw) as { scopes?: unknown; actor?: unknown };
      const scopes = Array.isArray(value.scopes) ? SCOPES.filter((s) => (value.scopes as unknown[]).includes(s)) : [];
      if (scopes.length === 0 || typeof value.actor !== "string") return null;
      return { scopes, actor: value.actor };
    } catch {
      return null;
    }
  }

  private key(code: string): string {
    return `${this.prefix}:web:code:${createHash("sha256").update(code).digest("hex")}`;
  }
}

/** People type codes in lower case, without dashes or with spaces; the code itself is upper case in groups of four. */
function normalise(code: string): string {
  const bare = code.toUpperCase().replace(/[\s-]/g, "");
  return bare.length === 12 ? `${bare.slice(0, 4)}-${bare.slice(4, 8)}-${bare.slice(8)}` : code;
}

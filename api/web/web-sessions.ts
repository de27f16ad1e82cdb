/**
 * Browser sessions of the web dashboard, kept in Redis under the swarm's
 * prefix (`<prefix>:web:session:<sha256 of the cookie>`), so a restarted
 * daemon keeps its users logged in. The cookie value is 32 random bytes and
 * only its hash is stored. Each session carries its own CSRF token, which the
 * page reads once (GET /web/session) and sends back in a header on every
 * request that changes something.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { TokenInfo } from "../auth/tokens.js";
import type { LoginGrant } from "./login-codes.js";

/** A session lives 12 hours from its login, then the user runs `claude-agent web` again. */
export const SESSION_TTL_S = 12 * 3600;
const SESSION_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface WebSession extends LoginGrant {
  readonly csrf: string;
  readonly createdAt: string;
}

export class WebSessions {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async create(grant: LoginGrant): Promise<{ cookie: string; session: WebSession }> {
    const cookie = randomBytes(32).toString("base64url");
    const session: WebSession = { scopes: grant.scopes, actor: grant.actor, csrf: randomBytes(32).toString("base64url"), createdAt: new Date().toISOString() };
    await this.redis.set(this.key(cookie), JSON.stringify(session), "EX", SESSION_TTL_S);
    return { cookie, session };
  }

  async get(cookie: string): Promise<WebSession | null> {
    if (!SESSION_SHAPE.test(cookie)) return null;
    const raw = await this.redis.get(this.key(cookie));
    if (!raw) return null;
    try {
      const value = JSON.parse(raw) as WebSession;
      return typeof value.csrf === "string" && Array.isArray(value.scopes) && typeof value.actor === "string" ? value : null;
    } catch {
      return null;
    }
  }

  async delete(cookie: string): Promise<void> {
    if (SESSION_SHAPE.test(cookie)) await this.redis.del(this.key(cookie));
  }

  /** The session as the API's scope checks and audit record see it: a token named `web:<actor>`. */
  static asToken(cookie: string, session: WebSession): TokenInfo {
    return { id: `web-${hash(cookie).slice(0, 8)}`, name: `web:${session.actor}`, scopes: session.scopes, createdAt: session.createdAt };
  }

  private key(cookie: string): string {
    return `${this.prefix}:web:session:${hash(cookie)}`;
  }
}

function hash(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

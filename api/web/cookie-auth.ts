/**
 * Authenticates a browser by its session cookie, for the same routes and
 * scopes as a bearer token. A cookie is sent by the browser on its own, so
 * a request carrying one must also prove it comes from our page:
 * - the cookie is SameSite=Strict (a request started by another site does not carry it);
 * - a request with an `Origin` must come from the API's own origin (not even
 *   api.allowed_origins: those are for token clients);
 * - every request that is not a GET must carry `Origin` and the session's
 *   CSRF token in `X-CSRF-Token`, which another origin cannot read;
 * - on a loopback address the `Host` must be a loopback name, so that a page
 *   of another site whose name was re-pointed at 127.0.0.1 (DNS rebinding)
 *   is not "same origin" with us.
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { TokenInfo } from "../auth/tokens.js";
import { HttpProblem } from "../http/problem.js";
import { WebSessions, type WebSession } from "./web-sessions.js";

export const CSRF_HEADER = "x-csrf-token";
const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)(:\d+)?$/;

export interface CookieAuthOptions {
  readonly loopback: boolean;
  readonly tls: boolean;
}

export class CookieAuth {
  constructor(
    readonly sessions: WebSessions,
    private readonly options: CookieAuthOptions,
  ) {}

  /** The cookie's value in this request, if any. */
  cookie(request: FastifyRequest): string | null {
    const header = request.headers.cookie;
    if (typeof header !== "string") return null;
    for (const part of header.split(";")) {
      const eq = part.indexOf("=");
      if (eq > 0 && part.slice(0, eq).trim() === cookieName(request)) return part.slice(eq + 1).trim();
    }
    return null;
  }

  /** The session of a request that carries our cookie, after the origin and CSRF checks; null when there is no (valid) cookie. */
  async session(request: FastifyRequest): Promise<{ cookie: string; session: WebSession } | null> {
    const cookie = this.cookie(request);
    if (cookie === null) return null;
    this.checkOrigin(request);
    const session = await this.sessions.get(cookie);
    if (!session) return null;
    if (request.method !== "GET" && request.method !== "HEAD") {
      if (request.headers.origin === undefined) throw refused("a request that changes something must carry an Origin");
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== "string" || !sameSecret(sent, session.csrf)) throw refused("missing or wrong X-CSRF-Token");
    }
    return { cookie, session };
  }

  async authenticate(request: FastifyRequest): Promise<TokenInfo | null> {
    const found = await this.session(request);
    return found ? WebSessions.asToken(found.cookie, found.session) : null;
  }

  /** The checks a request without a session must pass too (the login itself). */
  checkOrigin(request: FastifyRequest): void {
    const host = request.headers.host ?? "";
    if (this.options.loopback && !LOOPBACK_HOST.test(host)) throw refused(`Host ${JSON.stringify(host.slice(0, 100))} is not this machine's`);
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `${request.protocol}://${host}`) throw refused("cross-origin requests are refused");
    if (request.headers["sec-fetch-site"] === "cross-site") throw refused("cross-site requests are refused");
  }

  setCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeS: number): void {
    const secure = this.options.tls ? "; Secure" : "";
    reply.header("set-cookie", `${cookieName(request)}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`);
  }
}

/** The name carries the port: browsers send a host's cookies to all its ports, and two swarms on one machine must not overwrite each other's. */
function cookieName(request: FastifyRequest): string {
  return `ca_session_${request.socket.localPort ?? 0}`;
}

function refused(detail: string): HttpProblem {
  return new HttpProblem(403, "Forbidden", detail, undefined, {}, "urn:claude-agent:problem:origin");
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

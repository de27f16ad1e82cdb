/**
 * Everything the web dashboard adds to the API, built once per server:
 * the page's files, login codes, browser sessions, the cookie check, the
 * relay tickets another host's daemon opens a terminal here with, and the
 * terminal viewers and relays. close() kills the viewers' ptys and closes
 * the relays (idempotent).
 */
import type { Redis } from "ioredis";
import { EventStream, keys, type LogFn } from "../../core/index.js";
import type { TokenInfo } from "../auth/tokens.js";
import type { AnyRoute } from "../http/route.js";
import type { ApiDeps } from "../routes/deps.js";
import type { FastifyRequest } from "fastify";
import { WebAssets } from "./assets.js";
import { CookieAuth } from "./cookie-auth.js";
import { inboxRoutes } from "./inbox-routes.js";
import { LoginCodes } from "./login-codes.js";
import { RELAY_HEADER, RelayTickets, type RelayGrant } from "./relay-tickets.js";
import { webRoutes, type WebDeps } from "./routes.js";
import { TakeOvers } from "./takeover.js";
import { type FindRemote, TerminalViewers } from "./terminal.js";
import { TerminalRelays } from "./terminal-relay.js";
import { WebSessions } from "./web-sessions.js";

export interface WebOptions {
  readonly redis: Redis;
  readonly prefix: string;
  readonly tmuxSocket: string;
  readonly loopback: boolean;
  readonly tls: boolean;
  /** Where the built page is (default: the package's dist/web). */
  readonly dir?: string;
  /** The host whose bridge runs a session (null: a swarm without `hosts:`): take-over requests go to it. */
  readonly hostOf: (session: string) => string | null;
  /** Where a session of another host is (the live terminal reaches it through that host's daemon or over ssh); default: nowhere. */
  readonly findRemote?: FindRemote;
  /** This daemon's host in a swarm with `hosts:`; null: none (no relay either way). */
  readonly host?: string | null;
  /** `api.peer_ca`'s PEM, trusted besides the system's CAs when relaying to another host's https API. */
  readonly peerCa?: Buffer | null;
  readonly log: LogFn;
}

export interface Web {
  readonly deps: WebDeps;
  routes(deps: ApiDeps): AnyRoute[];
  authenticate(request: FastifyRequest): Promise<TokenInfo | null>;
  close(): Promise<void>;
}

export function createWeb(options: WebOptions): Web {
  const k = keys(options.prefix);
  const events = new EventStream(options.redis, k.events);
  const takeovers = new TakeOvers({
    redis: options.redis,
    keys: k,
    hostOf: options.hostOf,
    audit: (fields) =>
      void events
        .publish("audit", { ...fields, via: "web", interface: "api", code: "101" })
        .catch((error: unknown) => options.log("api.audit-failed", { action: fields.action, actor: fields.actor, error })),
    log: options.log,
  });
  const auth = new CookieAuth(new WebSessions(options.redis, options.prefix), { loopback: options.loopback, tls: options.tls });
  const self = options.host ?? null;
  const tickets = new RelayTickets(options.redis, options.prefix);
  const relays = self === null ? null : new TerminalRelays({ tickets, self, peerCa: options.peerCa ?? null, log: options.log });
  const relayed = new WeakMap<FastifyRequest, RelayGrant>();
  const deps: WebDeps = {
    assets: WebAssets.load(options.dir),
    codes: new LoginCodes(options.redis, options.prefix),
    auth,
    terminals: new TerminalViewers(options.tmuxSocket, takeovers, options.findRemote, relays),
    relayed: (request) => relayed.get(request) ?? null,
  };
  /**
   * A request carrying a relay ticket is another host's daemon opening a terminal here, and nothing else: the
   * ticket opens exactly the session and mode it names, on the host it names (this one), once.
   */
  const relayAuth = async (request: FastifyRequest, ticket: unknown): Promise<TokenInfo | null> => {
    if (self === null || typeof ticket !== "string" || request.routeOptions.config.spec?.operationId !== "sessionTerminal") return null;
    const session = (request.params as { name?: unknown }).name;
    if (typeof session !== "string") return null;
    const mode = (request.query as { mode?: unknown }).mode === "write" ? "write" : "read";
    const grant = await tickets.accept(ticket, { session, mode, host: self });
    if (grant === null) {
      options.log("web.relay-refused", { session, mode });
      return null;
    }
    relayed.set(request, grant);
    options.log("web.relay-accepted", { session, mode, from: grant.from, actor: grant.actor });
    return { id: `relay-${grant.from}`, name: grant.actor, scopes: ["terminal"], createdAt: new Date().toISOString() };
  };
  return {
    deps,
    routes: (apiDeps) => [...webRoutes(apiDeps, deps), ...inboxRoutes(apiDeps)],
    authenticate: (request) => {
      const ticket = request.headers[RELAY_HEADER];
      return ticket !== undefined ? relayAuth(request, ticket) : auth.authenticate(request);
    },
    close: async () => {
      deps.terminals.close();
      await takeovers.close();
    },
  };
}

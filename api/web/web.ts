/**
 * Everything the web dashboard adds to the API, built once per server:
 * the page's files, login codes, browser sessions, the cookie check and the
 * terminal viewers. close() kills the viewers' ptys (idempotent).
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
import { webRoutes, type WebDeps } from "./routes.js";
import { TakeOvers } from "./takeover.js";
import { type FindRemote, TerminalViewers } from "./terminal.js";
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
  /** Where a session of another host is (the live terminal reaches it over ssh); default: nowhere. */
  readonly findRemote?: FindRemote;
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
    audit: (fields) => void events.publish("audit", { ...fields, via: "web", interface: "api", code: "101" }).catch(() => undefined),
    log: options.log,
  });
  const auth = new CookieAuth(new WebSessions(options.redis, options.prefix), { loopback: options.loopback, tls: options.tls });
  const deps: WebDeps = {
    assets: WebAssets.load(options.dir),
    codes: new LoginCodes(options.redis, options.prefix),
    auth,
    terminals: new TerminalViewers(options.tmuxSocket, takeovers, options.findRemote),
  };
  return {
    deps,
    routes: (apiDeps) => [...webRoutes(apiDeps, deps), ...inboxRoutes(apiDeps)],
    authenticate: (request) => auth.authenticate(request),
    close: async () => {
      deps.terminals.close();
      await takeovers.close();
    },
  };
}

/**
 * The API inside the daemon: its own Redis connections (a fail-fast one for
 * requests, so that a Redis outage answers 503 instead of hanging; a
 * blocking one for the event hub), the token store and first token, the
 * event hub, the Fastify app, the socket, and `run/api.json` saying where it
 * listens. close() stops intake, ends the streams and releases everything.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import {
  keys,
  parseApiUrl,
  placements,
  readHostRecords,
  connectOrFail,
  createRedis,
  homePaths,
  isLoopback,
  type LogFn,
  type RedisTarget,
  type SwarmConfig,
  type TaskEnds,
  DEFAULT_API,
  EnvironmentError,
} from "../core/index.js";
import { placeAttach, SwarmClient } from "../client/index.js";
import { ensureDefaultToken } from "./auth/default-token.js";
import { TokenStore } from "./auth/tokens.js";
import { LocalControl } from "./control/local.js";
import { EventHub } from "./events/hub.js";
import { HealthCheck, type ComponentProbe } from "./health.js";
import { IdempotencyGuard } from "./http/idempotency.js";
import type { AnyRoute } from "./http/route.js";
import type { HistoryReader } from "./schemas/history.js";
import type { RemoteSession } from "./web/terminal.js";
import { DEFAULT_STREAM_LIMITS, type ApiDeps, type StreamLimits } from "./routes/deps.js";

export interface StartApiOptions {
  readonly home: string;
  readonly target: RedisTarget;
  readonly config: SwarmConfig;
  /** The swarm's Redis key prefix. */
  readonly prefix: string;
  /** Extra health components (the daemon adds tmux). */
  readonly probes?: Readonly<Record<string, ComponentProbe>>;
  readonly streams?: Partial<StreamLimits>;
  readonly log?: LogFn;
  /** The durable history's reader, closed with the API; without one, GET /v1/history/… answers 503. */
  readonly history?: HistoryReader;
  /** In the daemon: where its bridge tells the tasks it ends, so that waits settle at once (core/task-ends.ts). */
  readonly ends?: TaskEnds;
  /** This daemon's host in a swarm with `hosts:` (null: none): relay tickets for the web terminal name it. */
  readonly host?: string | null;
}

export interface RunningApi {
  /** `http://127.0.0.1:7433` (https with TLS). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /**
   * Where the other hosts' daemons reach this API (published in the host's heartbeat record): `hosts.NAME.api_url`,
   * else `url`; null without a host, or for a wildcard bind (0.0.0.0, ::) without `api_url`, whose reachable name is unknown.
   */
  readonly advertised: string | null;
  /** The file the first token was written to, when this start created it. */
  readonly tokenFile: string | null;
  readonly app: FastifyInstance;
  readonly routes: readonly AnyRoute[];
  /** Every method and path Fastify serves. */
  readonly served: readonly { method: string; url: string }[];
  close(): Promise<void>;
}

export function apiRunFile(home: string): string {
  return join(home, "run", "api.json");
}

/** Where the API of the swarm in `home` listens, from `run/api.json`; null when it does not. */
export function readApiRunFile(home: string): { url: string; host: string; port: number; pid: number } | null {
  try {
    return JSON.parse(readFileSync(apiRunFile(home), "utf8")) as { url: string; host: string; port: number; pid: number };
  } catch {
    return null;
  }
}

export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  // Loaded here, not at import: `status` and `api token` import this folder and need none of it.
  const [{ buildApp }, { mcpRoutes }, { ApiMetrics }, { createWeb }] = await Promise.all([
    import("./server.js"),
    import("./mcp/http.js"),
    import("./metrics/metrics.js"),
    import("./web/web.js"),
  ]);
  const api = options.config.api ?? DEFAULT_API;
  const log = options.log ?? (() => undefined);
  const prefix = options.prefix;
  const redis = await connectOrFail(options.target, 5000);
  const blocking = createRedis(options.target, { worker: true, name: "api-events" });
  blocking.on("error", () => undefined);
  const client = new SwarmClient(
    redis,
    options.config,
    () => createRedis(options.target, { worker: true, name: "api-watcher" }),
    prefix,
    options.ends ? { ends: options.ends } : {},
  );
  const control = new LocalControl(client);
  const streams: StreamLimits = { ...DEFAULT_STREAM_LIMITS, ...options.streams };
  const hub = new EventHub(blocking, redis, client.events.key, streams.coalesceMs);
  const metrics = new ApiMetrics(client);
  const tokens = new TokenStore(redis, prefix);
  const hosts = new Map(placements(options.config).map((placed) => [placed.session, placed.host]));
  const self = options.host ?? null;
  const peerCa = api.peerCa ? readPeerCa(api.peerCa) : null;
  const web = createWeb({
    redis,
    prefix,
    tmuxSocket: homePaths(options.home).tmuxSocket,
    loopback: isLoopback(api.listen.host),
    tls: api.tls !== null,
    hostOf: (session) => hosts.get(session) ?? null,
    host: self,
    peerCa,
    // A session of another host: the URL its daemon publishes, and where `attach` would find it (its `ssh:` target and published tmux socket).
    findRemote: async (session) => {
      const machine = hostname();
      const here = { home: options.home, machine, command: (...args: string[]) => `claude-agent ${args.join(" ")}` };
      const status = await client.status();
      let ssh: RemoteSession | { reason: string };
      try {
        const place = placeAttach(session, null, status, here);
        ssh = place.where === "remote" && place.session === session ? place : { reason: `no session ${session}` };
      } catch (error) {
        ssh = { reason: (error as Error).message };
      }
      const host = status.hosts?.find((h) => h.sessions.includes(session));
      if (host === undefined || host.state !== "up" || host.name === self || self === null)
        return "reason" in ssh ? ssh : { session, host: ssh.host, api: null, ssh };
      const record = (await readHostRecords(redis, keys(prefix))).find((r) => r.host === host.name);
      const url = record?.api !== undefined ? parseApiUrl(record.api) : null;
      // A loopback URL names the publishing machine itself: from another machine it would reach this one's own port.
      const api = url !== null && (!isLoopback(new URL(url).hostname.replace(/^\[|\]$/g, "")) || record?.machine === machine) ? url : null;
      if (url !== null && api === null) log("web.relay-unreachable", { session, host: host.name, url, reason: "a loopback URL of another machine" });
      return { session, host: host.name, api, ssh };
    },
    log,
  });
  let app: FastifyInstance | null = null;
  const release = async () => {
    await web.close();
    await app?.close().catch((error: unknown) => log("api.close-failed", { part: "http", error }));
    await hub.close();
    metrics.close();
    await control.close().catch((error: unknown) => log("api.close-failed", { part: "control", error }));
    await options.history?.close().catch((error: unknown) => log("api.close-failed", { part: "history", error }));
    await client.close();
    redis.disconnect();
  };
  try {
    const tokenFile = await ensureDefaultToken(tokens, options.home);
    hub.onEvents((events) => metrics.observe(events));
    await hub.start();
    const deps: ApiDeps = {
      control,
      tokens,
      idempotency: new IdempotencyGuard(redis, prefix),
      hub,
      health: new HealthCheck(client, options.probes),
      metrics,
      api,
      swarm: options.config,
      streams,
      outputDir: homePaths(options.home).outputDir,
      history: options.history ?? null,
      log,
    };
    const https = api.tls ? { cert: readTls(api.tls.cert, "api.tls.cert"), key: readTls(api.tls.key, "api.tls.key") } : undefined;
    const built = await buildApp({
      deps,
      extraRoutes: (d) => [...mcpRoutes(d), ...web.routes(d)],
      cookieAuth: web.authenticate,
      https,
      onError: (error, request) => log("api.error", { route: request.url.split("?")[0], error }),
    });
    app = built.app;
    await app.listen({ host: api.listen.host, port: api.listen.port });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : api.listen.port;
    const hostInUrl = api.listen.host.includes(":") ? `[${api.listen.host}]` : api.listen.host;
    const url = `${api.tls ? "https" : "http"}://${hostInUrl}:${port}`;
    const configured = self === null ? null : (options.config.hosts?.find((h) => h.name === self)?.apiUrl ?? null);
    const advertised = self === null ? null : (configured ?? (WILDCARD.has(api.listen.host) ? null : parseApiUrl(url)));
    writeRunFile(options.home, { url, host: api.listen.host, port, pid: process.pid, tls: api.tls !== null, loopback: isLoopback(api.listen.host) });
    log("api.listening", { url });
    let closing: Promise<void> | null = null;
    return {
      url,
      host: api.listen.host,
      port,
      advertised,
      tokenFile,
      app,
      routes: built.routes,
      served: built.served,
      close() {
        closing ??= (async () => {
          rmSync(apiRunFile(options.home), { force: true });
          await release();
        })();
        return closing;
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/** Binds that answer on every address: the URL to publish cannot be made from them. */
const WILDCARD = new Set(["0.0.0.0", "::", "[::]"]);

/** `api.peer_ca`, read once at start: a file that is not PEM certificates would only fail later, at each relay. */
function readPeerCa(path: string): Buffer {
  const pem = readTls(path, "api.peer_ca");
  if (!pem.includes("-----BEGIN CERTIFICATE-----"))
    throw new EnvironmentError(`api.peer_ca: ${path} holds no PEM certificate`, {
      hint: "Name the PEM file of the CA that signed the other hosts' api.tls certificates.",
    });
  return pem;
}

function readTls(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new EnvironmentError(`${field}: cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
}

function writeRunFile(home: string, value: Record<string, unknown>): void {
  const file = apiRunFile(home);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(value)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

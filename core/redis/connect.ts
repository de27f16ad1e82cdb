import { Redis, type RedisOptions } from "ioredis";
import { EnvironmentError, NotRunningError } from "../errors.js";
import { describeTarget, type RedisTarget, type SentinelTarget, type SentinelTls } from "./target.js";

export interface CreateRedisOptions {
  /** A BullMQ Worker/QueueEvents connection: blocking commands, retries forever. */
  readonly worker?: boolean;
  /** Shown in CLIENT LIST, handy when debugging who holds connections. */
  readonly name?: string;
}

export function createRedis(target: RedisTarget, options: CreateRedisOptions = {}): Redis {
  const common: RedisOptions = {
    connectionName: options.name,
    // BullMQ requires null for workers; CLI commands should fail fast instead of queuing forever.
    maxRetriesPerRequest: options.worker ? null : 2,
    // Kept on for both: with it off, a command sent before the first connect completes is rejected
    // at once. Short-lived clients still fail fast, after two reconnect attempts (~150 ms).
    enableOfflineQueue: true,
    // ioredis' failed ready check calls disconnect() on an already-closed stream, arming a timer that
    // nothing clears: with the default 2 s a CLI facing a hung server would linger 2 s before exiting.
    ...(options.worker ? {} : { disconnectTimeout: 100 }),
  };
  if (target.kind === "embedded") return new Redis({ ...common, path: target.socket });
  if (target.kind === "url") return new Redis(target.url, common);
  return new SentinelRedis({ ...common, ...sentinelOptions(target) });
}

/** What SentinelRedis reaches of ioredis' internals (5.9): the connector and its failover detector. */
interface WithFailoverDetector {
  readonly connector?: { readonly failoverDetector?: { cleanup(): void } };
}

/**
 * A client of a Sentinel group that survives a failover observed while it reconnects. ioredis (5.9) keeps a
 * connection's failover detector (its subscriptions to +switch-master) after the connection closes. When the
 * primary dies, the client reconnects through the sentinels. If the failover's +switch-master reaches that old
 * detector while the client is still asking a sentinel for the primary, the detector disconnects the connector
 * mid-connect, the connect rejects with "Connection is closed." and the client ends for good: no retry, every
 * later command refused. With TLS and a loaded machine the window is wide. Under a CI run's load,
 * `test/hosts/sentinel-tls.test.ts` lost the SDK client (submits refused for 60 s) or the daemon's BullMQ
 * worker (a task accepted and never run) in 5 runs of 6.
 *
 * So the detector of a closed connection is stopped at once: the next connection makes its own once connected.
 * BullMQ duplicates a worker's connection for its blocking reads, so duplicates are of this class too.
 */
class SentinelRedis extends Redis {
  constructor(options: RedisOptions) {
    super(options);
    this.on("close", () => (this as unknown as WithFailoverDetector).connector?.failoverDetector?.cleanup());
    // ioredis closes the failover detector's sentinel connections only in disconnect(), not when quit() ends the
    // connection: they would keep a CLI process that quit alive. "end" comes once it will not reconnect.
    this.once("end", () => this.disconnect());
  }

  override duplicate(override?: Partial<RedisOptions>): Redis {
    return new SentinelRedis({ ...this.options, ...override });
  }
}

/** ioredis' own Sentinel support: it asks the sentinels for the primary at every (re)connect and checks its ROLE. */
function sentinelOptions(target: SentinelTarget): RedisOptions {
  return {
    sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
    name: target.name,
    // A replica is read-only: every connection of the swarm writes (the ledger, BullMQ's locks).
    role: "master",
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(target.sentinelUsername !== undefined ? { sentinelUsername: target.sentinelUsername } : {}),
    ...(target.sentinelPassword !== undefined ? { sentinelPassword: target.sentinelPassword } : {}),
    ...(target.tls ? sentinelTlsOptions(target.tls) : {}),
    // Listens for +switch-master on the sentinels and drops the connection at once: without it a client still
    // connected to a demoted primary that stayed up (a partition, or a manual SENTINEL FAILOVER) keeps talking
    // to it until something closes the socket.
    failoverDetector: true,
    // A write refused with READONLY reached a primary demoted since we connected: reconnect through the
    // sentinels and send the command again (2 = reconnect and resend).
    reconnectOnError: (error) => (error.message.startsWith("READONLY") ? 2 : false),
  };
}

/**
 * TLS both ways, as ioredis 5.9 splits it (connectors/SentinelConnector): `sentinelTLS` is passed to every
 * connection to a sentinel (the one that asks for the primary and the failover detector's subscribers);
 * `tls` is applied to the primary the sentinels name only when `enableTLSForSentinelMode` is on (without it
 * ioredis reaches the primary in plain TCP even with `tls` set). The same options both ways: one CA, one
 * client certificate and one servername serve the group.
 */
export function sentinelTlsOptions(tls: SentinelTls): Pick<RedisOptions, "tls" | "sentinelTLS" | "enableTLSForSentinelMode"> {
  const options = { ...tls };
  return { tls: options, sentinelTLS: { ...options }, enableTLSForSentinelMode: true };
}

function notRunning(target: RedisTarget, cause?: unknown): NotRunningError {
  return new NotRunningError(`the swarm is not running (no Redis at ${describeTarget(target)})`, {
    cause,
    hint: "Start it with `claude-agent up` (or `claude-agent up --detach`).",
    context: { redis: describeTarget(target) },
  });
}

/** Redis' replies to a login it refused (a wrong password or user, none sent, or a user without the rights). */
const REFUSED_LOGIN = /WRONGPASS|invalid username-password pair|NOAUTH|NOPERM/;

/** The server answered and refused the swarm's login: a setting to fix, not a swarm to start. */
function loginRefused(target: RedisTarget, cause: Error): EnvironmentError {
  const reply = REFUSED_LOGIN.exec(cause.message) ? cause.message.slice(cause.message.search(REFUSED_LOGIN)) : cause.message;
  return new EnvironmentError(`Redis at ${describeTarget(target)} refused the swarm's login: ${reply}`, {
    cause,
    hint:
      target.kind === "sentinel"
        ? "Check swarm.yaml's `redis.username` and `redis.sentinel_username` against the servers' ACL users, and the passwords in the variables `password_env` and `sentinel_password_env` name."
        : "Check the user and password in REDIS_URL (redis://USER:PASSWORD@host:port) against the server's requirepass or ACL users.",
    context: { redis: describeTarget(target) },
  });
}

/** Connects and PINGs within `timeoutMs`; on failure leaves no client behind and throws NotRunningError (EnvironmentError when the login was refused). */
export async function connectOrFail(target: RedisTarget, timeoutMs = 1500): Promise<Redis> {
  const client = createRedis(target);
  // Stop reconnecting until we know the server is there; restored once PING succeeds.
  const { retryStrategy, sentinelRetryStrategy } = client.options;
  client.options.retryStrategy = () => null;
  // With sentinels, "none of them answers" is retried by this one instead (forever by default).
  client.options.sentinelRetryStrategy = () => null;
  let lastError: unknown;
  const onError = (error: unknown): void => {
    lastError = error;
  };
  client.on("error", onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const ready = new Promise<void>((resolve, reject) => {
      client.once("ready", resolve);
      client.once("end", () => reject(lastError ?? new Error("connection closed")));
    });
    await Promise.race([ready, timeout]);
    await Promise.race([client.ping(), timeout]);
  } catch (cause) {
    client.disconnect();
    // disconnect() only half-closes; a server that accepted but never answers would keep the socket open.
    (client.stream as typeof client.stream | undefined)?.destroy();
    const error = lastError ?? cause;
    if (error instanceof Error && REFUSED_LOGIN.test(error.message)) throw loginRefused(target, error);
    throw notRunning(target, error);
  } finally {
    clearTimeout(timer);
  }
  client.options.retryStrategy = retryStrategy;
  client.options.sentinelRetryStrategy = sentinelRetryStrategy;
  client.off("error", onError);
  // Keep one quiet listener so a later drop is not an unhandled 'error' event.
  client.on("error", () => {});
  return client;
}

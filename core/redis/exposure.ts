import { statSync } from "node:fs";
import { lookup } from "node:dns/promises";
import { isIP, createConnection, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { Redis } from "ioredis";
import { EnvironmentError } from "../errors.js";
import { formatAddress, type RedisTarget, type SentinelTarget, type SentinelTls } from "./target.js";

/**
 * Who else can reach the swarm's Redis. Whoever can run commands on it can
 * read the tasks and queue jobs that run as the swarm's user, so a TCP Redis
 * (or a unix socket other users may open) must require authentication, and
 * one beyond this machine must be reached over TLS. The embedded Redis listens
 * only on a unix socket (mode 0700, in the home, itself 0700): only our user
 * reaches it.
 */
export interface RedisExposure {
  readonly transport: "unix" | "tcp" | "tls";
  /** host:port or the socket path, without credentials. */
  readonly where: string;
  /** TCP and TLS: every address the host resolves to is a loopback address. */
  readonly loopback: boolean;
  /**
   * What a client that sends no credentials may do: `open` (it ran a command on our keys, or the server
   * has no password and only protected mode holds strangers back), `refused` (NOAUTH / NOPERM), `unknown`
   * (no answer). Not probed for the embedded Redis (its socket is ours alone).
   */
  readonly anonymous: "open" | "refused" | "unknown" | "not-probed";
  /** A unix socket's permission bits (null for TCP, or when it cannot be read). */
  readonly socketMode: number | null;
  /** The server's reply to the credential-less probe, for messages. */
  readonly anonymousReply: string;
  /** The ACL user the URL names; null for the default user (a plain password, or none). */
  readonly user: string | null;
  readonly password: boolean;
  /**
   * A Sentinel group's sentinels, each probed with no credentials; absent for a single Redis. `passwordSet`:
   * swarm.yaml names `sentinel_password_env`, so each of them must refuse a client without it.
   */
  readonly sentinels?: { readonly passwordSet: boolean; readonly probes: readonly SentinelProbe[] };
}

/** What one sentinel answered a client that sent no credentials. */
export interface SentinelProbe {
  readonly where: string;
  readonly anonymous: "open" | "refused" | "unknown";
  readonly reply: string;
}

interface Endpoint {
  readonly transport: RedisExposure["transport"];
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly user: string | null;
  readonly password: boolean;
}

/** REDIS_URL as ioredis reads it: `redis://` and `rediss://` (TLS) are TCP; a path or `unix://` a socket. */
export function redisEndpoint(target: Exclude<RedisTarget, SentinelTarget>): Endpoint {
  if (target.kind === "embedded") return { transport: "unix", host: "", port: 0, path: target.socket, user: null, password: false };
  const raw = target.url;
  if (raw.startsWith("/")) return { transport: "unix", host: "", port: 0, path: raw, user: null, password: false };
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `redis://${raw}`);
  const user = url.username ? decodeURIComponent(url.username) : null;
  const password = url.password !== "";
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") return { transport: "unix", host: "", port: 0, path: url.pathname, user, password };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return { transport: url.protocol === "rediss:" ? "tls" : "tcp", host, port: Number(url.port || 6379), path: "", user, password };
}

function isLoopbackAddress(address: string): boolean {
  if (address === "::1") return true;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/** Whether every address `host` resolves to is a loopback address (an unresolvable host is not). */
export async function isLoopbackHost(host: string): Promise<boolean> {
  if (isIP(host)) return isLoopbackAddress(host);
  try {
    const addresses = await lookup(host, { all: true });
    return addresses.length > 0 && addresses.every((a) => isLoopbackAddress(a.address));
  } catch {
    return false;
  }
}

const PROBE_TIMEOUT_MS = 2000;

/**
 * Sends one command with no credentials and returns the first reply line ("" when none came). TLS is
 * not verified here: nothing secret is sent, and the client that carries the password verifies it.
 */
function probeWithoutCredentials(endpoint: Endpoint, command: string[], tls: SentinelTls = {}): Promise<string> {
  return new Promise((resolve) => {
    let reply = "";
    // A client certificate (redis.tls.cert) is presented: a server with `tls-auth-clients yes` would end the
    // handshake of a client without one, and the probe would learn nothing about its password.
    const clientCertificate = tls.cert !== undefined && tls.key !== undefined ? { cert: tls.cert, key: tls.key } : {};
    const socket: Socket =
      endpoint.transport === "tls"
        ? tlsConnect({
            host: endpoint.host,
            port: endpoint.port,
            rejectUnauthorized: false,
            servername: tls.servername ?? (isIP(endpoint.host) ? undefined : endpoint.host),
            ...clientCertificate,
          })
        : endpoint.transport === "unix"
          ? createConnection({ path: endpoint.path })
          : createConnection({ host: endpoint.host, port: endpoint.port });
    const done = (): void => {
      socket.destroy();
      resolve(reply.split("\r\n")[0] ?? "");
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, done);
    socket.on("error", done);
    socket.on(endpoint.transport === "tls" ? "secureConnect" : "connect", () => {
      socket.write(`*${command.length}\r\n${command.map((word) => `$${Buffer.byteLength(word)}\r\n${word}\r\n`).join("")}`);
    });
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) done();
    });
    socket.on("end", done);
  });
}

/** How exposed the target is; `probeKey` is a key of ours that an anonymous client must not be able to touch. */
export async function redisExposure(target: RedisTarget, probeKey: string): Promise<RedisExposure> {
  if (target.kind === "sentinel") return sentinelExposure(target, probeKey);
  const endpoint = redisEndpoint(target);
  const where = endpoint.transport === "unix" ? endpoint.path : `${endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
  const base = { transport: endpoint.transport, where, user: endpoint.user, password: endpoint.password };
  if (target.kind === "embedded") return { ...base, loopback: true, anonymous: "not-probed", anonymousReply: "", socketMode: modeOf(endpoint.path) };
  const [loopback, reply] = await Promise.all([
    endpoint.transport === "unix" ? true : isLoopbackHost(endpoint.host),
    probeWithoutCredentials(endpoint, ["EXISTS", probeKey]),
  ]);
  // DENIED is protected mode: no password is set, and only clients on this machine get in (every local user).
  const anonymous = /^:\d+$/.test(reply) || reply.startsWith("-DENIED") ? "open" : /^-(NOAUTH|NOPERM)/.test(reply) ? "refused" : "unknown";
  // Kept short for messages: protected mode's DENIED explains itself over a thousand characters.
  return {
    ...base,
    loopback,
    anonymous,
    anonymousReply: reply.length > 80 ? `${reply.slice(0, 77)}...` : reply,
    socketMode: endpoint.transport === "unix" ? modeOf(endpoint.path) : null,
  };
}

function modeOf(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return null;
  }
}

/**
 * A Sentinel group is as exposed as its primary (probed like a REDIS_URL: the data lives there, and a failover
 * makes a replica the primary with the same configuration) and is loopback only when every sentinel is too:
 * the sentinels' answers decide where the swarm's writes go. For the same reason each sentinel is probed with
 * no credentials: one that takes commands from anyone can be told (SENTINEL REMOVE / MONITOR) to name another
 * server as the primary, and every process of the swarm would send its password and its tasks there.
 */
async function sentinelExposure(target: SentinelTarget, probeKey: string): Promise<RedisExposure> {
  const primary = await askSentinelsForPrimary(target);
  const transport = target.tls ? "tls" : "tcp";
  const endpoint: Endpoint = {
    transport,
    host: primary.host,
    port: primary.port,
    path: "",
    user: target.username ?? null,
    password: target.password !== undefined,
  };
  const [loopbacks, reply, probes] = await Promise.all([
    Promise.all([primary, ...target.sentinels].map((address) => isLoopbackHost(address.host))),
    probeWithoutCredentials(endpoint, ["EXISTS", probeKey], target.tls),
    Promise.all(target.sentinels.map((sentinel) => probeSentinel(target, sentinel))),
  ]);
  const anonymous = /^:\d+$/.test(reply) || reply.startsWith("-DENIED") ? "open" : /^-(NOAUTH|NOPERM)/.test(reply) ? "refused" : "unknown";
  return {
    transport,
    where: `${formatAddress(primary)} (primary of sentinel group "${target.name}")`,
    user: null,
    password: endpoint.password,
    loopback: loopbacks.every(Boolean),
    anonymous,
    anonymousReply: reply.length > 80 ? `${reply.slice(0, 77)}...` : reply,
    socketMode: null,
    sentinels: { passwordSet: target.sentinelPassword !== undefined, probes },
  };
}

/** Asks one sentinel, with no credentials, for the group's primary: an answer (an array) means it takes commands from anyone. */
async function probeSentinel(target: SentinelTarget, sentinel: { host: string; port: number }): Promise<SentinelProbe> {
  const endpoint: Endpoint = { transport: target.tls ? "tls" : "tcp", host: sentinel.host, port: sentinel.port, path: "", user: null, password: false };
  const reply = await probeWithoutCredentials(endpoint, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", target.name], target.tls);
  const anonymous = /^[*:$+]/.test(reply) || reply.startsWith("-DENIED") ? "open" : /^-(NOAUTH|NOPERM)/.test(reply) ? "refused" : "unknown";
  return { where: formatAddress(sentinel), anonymous, reply: reply.length > 80 ? `${reply.slice(0, 77)}...` : reply };
}

/** SENTINEL GET-MASTER-ADDR-BY-NAME, asked of each sentinel in turn until one answers. */
export async function askSentinelsForPrimary(target: SentinelTarget): Promise<{ host: string; port: number }> {
  const failures: string[] = [];
  for (const sentinel of target.sentinels) {
    const client = new Redis({
      host: sentinel.host,
      port: sentinel.port,
      ...(target.sentinelUsername !== undefined ? { username: target.sentinelUsername } : {}),
      ...(target.sentinelPassword !== undefined ? { password: target.sentinelPassword } : {}),
      // Verified here (unlike the credential-less probes): this connection sends the sentinels' password.
      ...(target.tls ? { tls: { ...target.tls } } : {}),
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      enableReadyCheck: false,
      connectTimeout: PROBE_TIMEOUT_MS,
      commandTimeout: PROBE_TIMEOUT_MS,
    });
    client.on("error", () => undefined);
    try {
      await client.connect();
      const reply = await client.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", target.name);
      if (Array.isArray(reply) && typeof reply[0] === "string" && Number.isInteger(Number(reply[1]))) return { host: reply[0], port: Number(reply[1]) };
      failures.push(`${formatAddress(sentinel)}: does not monitor a group named "${target.name}"`);
    } catch (error) {
      failures.push(`${formatAddress(sentinel)}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      client.disconnect();
    }
  }
  throw new EnvironmentError(`no sentinel named the primary of group "${target.name}" (${failures.join("; ")})`, {
    hint: "Check swarm.yaml's `redis.sentinels` and `redis.name` against `redis-cli -p PORT SENTINEL MASTERS` on a sentinel.",
    context: { group: target.name },
  });
}

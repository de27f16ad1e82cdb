/**
 * A real Redis Sentinel group on private loopback ports: a primary, replicas (`--replicaof`) and three
 * sentinels (`redis-server <conf> --sentinel`, each with a writable config file of its own: Sentinel rewrites
 * it as it learns the group). What test/hosts/sentinel.test.ts fails over.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis, type RedisOptions } from "ioredis";
import { freePort, startTcpRedis, type TcpRedis, type TlsFiles } from "../security/redis-support.js";
import { waitFor } from "../helpers/wait.js";

export interface SentinelGroup {
  readonly name: string;
  readonly password: string;
  /** The data nodes, the first one the primary at start. */
  readonly nodes: readonly TcpRedis[];
  /** The sentinels' addresses, "127.0.0.1:PORT". */
  readonly sentinels: readonly string[];
  /** The current primary's port, as the sentinels report it. */
  primaryPort(): Promise<number>;
  /** SIGKILLs the data node on `port` (its folder is removed: it does not come back). */
  kill9(port: number): Promise<void>;
  /**
   * One more sentinel watching the current primary (same TLS) under a group name of its own, `${name}-extra` (so the
   * group's sentinels ignore its hello messages and it takes no part in their failovers), with `password` as its own
   * or none: what a misconfigured sentinel answers. Returns its "127.0.0.1:PORT".
   */
  extraSentinel(password: string | null): Promise<string>;
  /** Kills every process of the group and removes its folders. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Sentinel timings: a primary is judged down after 1 s without an answer (the default, 30 s, would make the
 * test wait half a minute), and a failover that stalls is retried after 3 s.
 */
const DOWN_AFTER_MS = 1000;
const FAILOVER_TIMEOUT_MS = 3000;

export interface SentinelGroupOptions {
  readonly name?: string;
  readonly password: string;
  readonly replicas?: number;
  /**
   * TLS only, everywhere: the data nodes and the sentinels listen on `tls-port` alone (`port 0`), replicate and
   * monitor over TLS (`tls-replication yes`) and demand a client certificate (`tls-auth-clients yes`, Redis'
   * default; they present `tls.cert` to each other).
   */
  readonly tls?: TlsFiles;
  /** The sentinels' own password (`requirepass`, and `sentinel sentinel-pass` to reach each other). */
  readonly sentinelPassword?: string;
  /**
   * ACL users instead of `requirepass`: the data nodes' `user` (with `password`; the default user off, replicas
   * and sentinels log in as it: `masteruser`, `sentinel auth-user`), and the sentinels' `sentinelUser` (with
   * `sentinelPassword`; their default user off, `sentinel sentinel-user` among themselves).
   */
  readonly user?: string;
  readonly sentinelUser?: string;
}

/** ioredis options for the test's own connections to a TLS-only group: its CA, and its certificate as the client's. */
export function groupTls(tls: TlsFiles | undefined): Pick<RedisOptions, "tls"> {
  return tls ? { tls: { ca: readFileSync(tls.ca, "utf8"), cert: readFileSync(tls.cert, "utf8"), key: readFileSync(tls.key, "utf8") } } : {};
}

/** The lines of a redis.conf that make a server listen on `port` over TLS only (or in plain TCP without `tls`). */
function listenLines(port: number, tls: TlsFiles | undefined): string[] {
  if (!tls) return [`port ${port}`];
  return ["port 0", `tls-port ${port}`, `tls-cert-file ${tls.cert}`, `tls-key-file ${tls.key}`, `tls-ca-cert-file ${tls.ca}`, "tls-replication yes"];
}

export async function startSentinelGroup(options: SentinelGroupOptions): Promise<SentinelGroup> {
  const name = options.name ?? "mymaster";
  const { password, tls, user, sentinelUser } = options;
  if (sentinelUser && !options.sentinelPassword) throw new Error("sentinelUser needs sentinelPassword");
  const login = user
    ? ["--user", "default", "off", "--user", user, "on", `>${password}`, "~*", "&*", "+@all", "--masteruser", user, "--masterauth", password]
    : ["--requirepass", password, "--masterauth", password];
  const auth = [...login, ...(tls ? ["--tls-auth-clients", "yes", "--tls-replication", "yes"] : [])];
  /** What the test's own connections send: the ACL user when there is one. */
  const dataLogin = { ...(user ? { username: user } : {}), password };
  const sentinelLogin = { ...(sentinelUser ? { username: sentinelUser } : {}), ...(options.sentinelPassword ? { password: options.sentinelPassword } : {}) };
  const clientTls = groupTls(tls);
  const nodes: TcpRedis[] = [];
  const sentinelProcesses: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), "ca-sentinel-"));
  const stopped = new Set<TcpRedis>();
  let closed = false;
  const stop = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const child of sentinelProcesses) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await Promise.allSettled(nodes.filter((node) => !stopped.has(node)).map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const primary = await startTcpRedis({ args: auth, ...(tls ? { tls } : {}) });
    nodes.push(primary);
    for (let i = 0; i < (options.replicas ?? 1); i++) {
      nodes.push(await startTcpRedis({ args: [...auth, "--replicaof", "127.0.0.1", String(primary.port)], ...(tls ? { tls } : {}) }));
    }
    const admin = new Redis({ port: primary.port, host: "127.0.0.1", ...dataLogin, lazyConnect: true, maxRetriesPerRequest: 1, ...clientTls });
    admin.on("error", () => undefined);
    try {
      await waitFor(`${nodes.length - 1} replicas in sync with the primary`, async () => {
        const info = await admin.info("replication");
        const online = info.split("\n").filter((line) => /^slave\d+:.*state=online/.test(line)).length;
        return online === nodes.length - 1;
      });
    } finally {
      admin.disconnect();
    }
    const sentinels: string[] = [];
    const startSentinel = async (i: number, sentinelPassword: string | undefined, primaryPort: number, group = name): Promise<string> => {
      const port = await freePort();
      const conf = join(dir, `sentinel-${i}.conf`);
      writeFileSync(
        conf,
        [
          ...listenLines(port, tls),
          "bind 127.0.0.1",
          ...(sentinelPassword && sentinelUser
            ? [
                "user default off",
                `user ${sentinelUser} on >${sentinelPassword} ~* &* +@all`,
                `sentinel sentinel-user ${sentinelUser}`,
                `sentinel sentinel-pass ${sentinelPassword}`,
              ]
            : sentinelPassword
              ? [`requirepass ${sentinelPassword}`, `sentinel sentinel-pass ${sentinelPassword}`]
              : []),
          `dir ${dir}`,
          `logfile ${join(dir, `sentinel-${i}.log`)}`,
          `sentinel monitor ${group} 127.0.0.1 ${primaryPort} 2`,
          ...(user ? [`sentinel auth-user ${group} ${user}`] : []),
          `sentinel auth-pass ${group} ${password}`,
          `sentinel down-after-milliseconds ${group} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${group} ${FAILOVER_TIMEOUT_MS}`,
          `sentinel parallel-syncs ${group} 1`,
          "",
        ].join("\n"),
      );
      sentinelProcesses.push(spawn("redis-server", [conf, "--sentinel"], { stdio: "ignore" }));
      return `127.0.0.1:${port}`;
    };
    for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(i, options.sentinelPassword, primary.port));
    // A failover needs a quorum of sentinels that know each other (they meet through hello messages on the
    // primary, every 2 s) and know the replicas: wait for that, or the kill would not be followed by a failover.
    for (const address of sentinels) {
      const sentinel = new Redis({
        host: "127.0.0.1",
        port: Number(address.split(":")[1]),
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        retryStrategy: () => 100,
        ...sentinelLogin,
        ...clientTls,
      });
      sentinel.on("error", () => undefined);
      try {
        await waitFor(
          `sentinel ${address} to know the other sentinels and the replicas`,
          async () => {
            const fields = (await sentinel.call("SENTINEL", "MASTER", name)) as string[];
            const field = (key: string): number => Number(fields[fields.indexOf(key) + 1]);
            return field("num-other-sentinels") === 2 && field("num-slaves") === nodes.length - 1;
          },
          { timeoutMs: 30_000, everyMs: 200, retryErrors: true },
        );
      } catch (error) {
        const logs = sentinels.map((_, i) => readLog(join(dir, `sentinel-${i}.log`))).join("\n---\n");
        throw new Error(`${(error as Error).message}\n${logs}`);
      } finally {
        sentinel.disconnect();
      }
    }
    const askPrimary = async (): Promise<number> => {
      const [host, port] = sentinels[0]!.split(":");
      const sentinel = new Redis({
        host,
        port: Number(port),
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        ...sentinelLogin,
        ...clientTls,
      });
      sentinel.on("error", () => undefined);
      try {
        const reply = (await sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)) as [string, string];
        return Number(reply[1]);
      } finally {
        sentinel.disconnect();
      }
    };
    return {
      name,
      password,
      nodes,
      sentinels,
      primaryPort: askPrimary,
      extraSentinel: async (sentinelPassword) => startSentinel(sentinelProcesses.length, sentinelPassword ?? undefined, await askPrimary(), `${name}-extra`),
      async kill9(port) {
        const node = nodes.find((candidate) => candidate.port === port);
        if (!node) throw new Error(`no data node on port ${port}`);
        stopped.add(node);
        await node.stop();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-15).join("\n");
  } catch {
    return `(no ${file})`;
  }
}

/** Sleeps `ms`; for pacing a stream of submits, never for waiting on state. */
export const pause = (ms: number): Promise<void> => sleep(ms);

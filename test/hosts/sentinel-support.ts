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
import { Redis } from "ioredis";
import { freePort, startTcpRedis, type TcpRedis } from "../security/redis-support.js";
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
  /** Kills every process of the group and removes its folders. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Sentinel timings: a primary is judged down after 1 s without an answer (the default, 30 s, would make the
 * test wait half a minute), and a failover that stalls is retried after 3 s.
 */
const DOWN_AFTER_MS = 1000;
const FAILOVER_TIMEOUT_MS = 3000;

export async function startSentinelGroup(options: { name?: string; password: string; replicas?: number }): Promise<SentinelGroup> {
  const name = options.name ?? "mymaster";
  const { password } = options;
  const auth = ["--requirepass", password, "--masterauth", password];
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
    const primary = await startTcpRedis({ args: auth });
    nodes.push(primary);
    for (let i = 0; i < (options.replicas ?? 1); i++) {
      nodes.push(await startTcpRedis({ args: [...auth, "--replicaof", "127.0.0.1", String(primary.port)] }));
    }
    const admin = new Redis({ port: primary.port, host: "127.0.0.1", password, lazyConnect: true, maxRetriesPerRequest: 1 });
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
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${i}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          `logfile ${join(dir, `sentinel-${i}.log`)}`,
          `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
          `sentinel auth-pass ${name} ${password}`,
          `sentinel down-after-milliseconds ${name} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${name} ${FAILOVER_TIMEOUT_MS}`,
          `sentinel parallel-syncs ${name} 1`,
          "",
        ].join("\n"),
      );
      sentinelProcesses.push(spawn("redis-server", [conf, "--sentinel"], { stdio: "ignore" }));
      sentinels.push(`127.0.0.1:${port}`);
    }
    // A failover needs a quorum of sentinels that know each other (they meet through hello messages on the
    // primary, every 2 s) and know the replicas: wait for that, or the kill would not be followed by a failover.
    for (const address of sentinels) {
      const sentinel = new Redis({
        host: "127.0.0.1",
        port: Number(address.split(":")[1]),
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        retryStrategy: () => 100,
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
      const sentinel = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 1 });
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

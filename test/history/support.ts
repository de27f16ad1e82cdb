/**
 * What the history tests share: a real redis-server in a temp home (the
 * swarm's embedded one, on its unix socket), a ledger to create and finish
 * tasks in it as the bridge would, the two real stores (SQLite in the home,
 * PostgreSQL from postgres.ts), and waiting for the writer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import {
  createRedis,
  ensureHome,
  Ledger,
  newTaskId,
  redisTarget,
  startEmbeddedRedis,
  stopEmbeddedRedis,
  type HomePaths,
  type Origin,
  type TaskRecord,
} from "../../core/index.js";

export interface RedisHome {
  readonly paths: HomePaths;
  readonly redis: Redis;
  readonly ledger: Ledger;
  connect(name: string): Redis;
  /** Creates a task as `submit` does (with its task.submitted event). */
  submit(text: string, options?: { agent?: string; origin?: Origin; at?: number }): Promise<string>;
  /** Ends a task as the bridge does (with its terminal event). */
  finish(id: string, status: "completed" | "failed", output: string, exitCode?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startRedisHome(): Promise<RedisHome> {
  const paths = ensureHome(mkdtempSync(join(tmpdir(), "ca-h-")));
  await startEmbeddedRedis(paths);
  const target = redisTarget(paths, {});
  const connections: Redis[] = [];
  const connect = (name: string): Redis => {
    const redis = createRedis(target, { worker: true, name });
    redis.on("error", () => undefined);
    connections.push(redis);
    return redis;
  };
  const redis = connect("test");
  const ledger = new Ledger(redis, "ca");
  return {
    paths,
    redis,
    ledger,
    connect,
    async submit(text, options = {}) {
      const at = options.at ?? Date.now();
      const record: TaskRecord = {
        id: newTaskId(at),
        agent: options.agent ?? "alpha",
        session: null,
        status: "queued",
        exitCode: null,
        output: "",
        outputFile: null,
        submittedAt: new Date(at).toISOString(),
        startedAt: null,
        finishedAt: null,
        durationMs: null,
        attempts: 0,
        task: text,
        timeoutSec: 60,
        priority: 0,
        idempotencyKey: null,
        routedBy: "explicit",
        dispatch: null,
        pane: null,
        cancelRequested: false,
      };
      await ledger.create(record, options.origin ?? { actor: "tester@test", via: "sdk" });
      return record.id;
    },
    async finish(id, status, output, exitCode = status === "completed" ? 0 : 1) {
      const now = new Date().toISOString();
      await ledger.update(
        id,
        { status: "running", startedAt: now, session: "alpha-1", attempts: 1 },
        { type: "task.started", data: { agent: "alpha", session: "alpha-1", status: "running" } },
      );
      await ledger.finish(id, status, { exitCode, output, finishedAt: new Date().toISOString(), durationMs: 5 }, "alpha");
    },
    async close() {
      for (const connection of connections) connection.disconnect();
      await stopEmbeddedRedis(paths);
      rmSync(paths.root, { recursive: true, force: true });
    },
  };
}

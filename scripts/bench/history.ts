/**
 * The history's figures: the writer's lag and the burst's throughput with and
 * without it, `tasks --search` over 1,000,000 generated tasks, and memory
 * search over 100,000 entries (full-text, and hybrid against a local
 * embeddings server). Each store is built in a temp folder and removed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { History, Memory, openStore, openAiEmbedder, sqliteTarget } from "../../history/index.js";
import { toBlob } from "../../history/memory/embeddings.js";
import { startEmbeddingsServer } from "../../test/fixtures/llm/embeddings.js";
import type { Cleanups } from "./cleanup.js";
import { summarize, type Summary } from "./stats.js";
import { AGENT, type BenchSwarm, startBenchSwarm } from "./swarm.js";

export interface HistoryFigures {
  burst: { tasks: number; withHistory: number; withoutHistory: number; lag: Summary };
  search: { tasks: number; buildSec: number; p50: number; p95: number; queries: number };
  memory: { entries: number; fullText: Summary; hybrid: Summary };
}

const WORDS =
  "migration failed deploy staging build test lint api endpoint schema database index cache timeout retry worker queue session token billing invoice report user login payment refactor docs release rollback branch merge commit review security patch upgrade node python rust image container cluster network latency memory disk cpu".split(
    " ",
  );

function words(rng: () => number, n: number): string {
  return Array.from({ length: n }, () => WORDS[Math.floor(rng() * WORDS.length)]!).join(" ");
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** A burst of `count` `true` tasks; seconds from the first submit to the last result, and the tasks' ids. */
async function burst(swarm: BenchSwarm, count: number): Promise<{ seconds: number; ids: string[] }> {
  const sdk = await swarm.sdk();
  const t0 = performance.now();
  const ids = await Promise.all(
    Array.from({ length: count }, async () => {
      const handle = await sdk.submit({ task: "true", agent: AGENT });
      const result = await handle.result({ signal: AbortSignal.timeout(300_000) });
      if (result.status !== "completed") throw new Error(`task ${handle.id} ended ${result.status}`);
      return handle.id;
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, ids };
}

/**
 * Two swarms of `replicas`, one with the history writer (the default) and one
 * started with CLAUDE_AGENT_HISTORY=off, up together; after a warm-up burst
 * on each, `count` tasks on each in four bursts, alternating (off, on, on,
 * off, …), so that a drifting machine load and the first burst's warm-up
 * skew both alike (one burst each, one after the other, measured the order:
 * the second swarm came out 15 % faster with the history on).
 */
export async function measureBurst(count: number, replicas: number, cleanups: Cleanups, say: (line: string) => void): Promise<HistoryFigures["burst"]> {
  const on = await startBenchSwarm(replicas, cleanups);
  const off = await startBenchSwarm(replicas, cleanups, undefined, { CLAUDE_AGENT_HISTORY: "off" });
  try {
    for (const swarm of [off, on]) await burst(swarm, 2 * replicas);
    const rounds = 4;
    const size = Math.ceil(count / rounds);
    const seconds = { on: 0, off: 0 };
    const ids: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const);
      for (const side of order) {
        const ran = await burst(side === "on" ? on : off, size);
        seconds[side] += ran.seconds;
        if (side === "on") ids.push(...ran.ids);
      }
    }
    const tasks = rounds * size;
    say(`  without history: ${(tasks / seconds.off).toFixed(0)} tasks/s`);
    say(`  with history:    ${(tasks / seconds.on).toFixed(0)} tasks/s`);
    // Lag: when each task's terminal row was written (updated_at) minus when it finished.
    const history = await History.open(on.home);
    const deadline = Date.now() + 120_000;
    let lags: number[] = [];
    try {
      while (Date.now() < deadline) {
        const rows = await history.store.db.selectFrom("tasks").select(["finished_at", "updated_at", "status"]).where("id", "in", ids).execute();
        const done = rows.filter((r) => r.status === "completed" && r.finished_at !== null);
        if (done.length === ids.length) {
          lags = done.map((r) => Number(r.updated_at) - Number(r.finished_at));
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await history.close();
    }
    if (lags.length === 0) throw new Error(`the history writer did not write all ${ids.length} tasks within 120 s`);
    return { tasks, withHistory: tasks / seconds.on, withoutHistory: tasks / seconds.off, lag: summarize(lags) };
  } finally {
    await on.stop();
    await off.stop();
  }
}

/** Generates `count` tasks straight into a SQLite store (FTS triggers included), then times History.tasks({search}). */
export async function measureSearch(count: number, queries: number, say: (line: string) => void): Promise<HistoryFigures["search"]> {
  const dir = mkdtempSync(join(tmpdir(), "cab-search-"));
  try {
    const target = sqliteTarget(dir);
    (await openStore(target)).close();
    const db = new Database((target as { file: string }).file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = OFF");
    const insert =
      db.prepare(`insert into tasks (id, agent, status, exit_code, task, submitted_at, finished_at, duration_ms, attempts, output_head, output_tail, output_chars, updated_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, '', ?, ?)`);
    const rng = random(42);
    const t0 = performance.now();
    const start = Date.UTC(2026, 0, 1);
    for (let i = 0; i < count; i += 10_000) {
      db.transaction(() => {
        for (let j = i; j < Math.min(count, i + 10_000); j++) {
          const output = `${words(rng, 12)}\n`;
          const at = start + j * 1000;
          insert.run(`t${j}`, `agent-${j % 8}`, rng() < 0.1 ? "failed" : "completed", 0, words(rng, 6), at, at + 50, 50, output, output.length, at + 60);
        }
      })();
      if ((i / 10_000) % 25 === 24) say(`  generated ${i + 10_000} tasks`);
    }
    db.close();
    const buildSec = (performance.now() - t0) / 1000;
    const history = await History.at(target);
    const samples: number[] = [];
    for (let q = 0; q < queries; q++) {
      const text = `${WORDS[Math.floor(rng() * WORDS.length)]} ${WORDS[Math.floor(rng() * WORDS.length)]} ${WORDS[Math.floor(rng() * WORDS.length)]}`;
      const t = performance.now();
      await history.tasks({ search: text, limit: 50 });
      samples.push(performance.now() - t);
    }
    await history.close();
    const s = summarize(samples);
    return { tasks: count, buildSec, p50: s.p50, p95: s.p95, queries };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureMemory(count: number, queries: number, say: (line: string) => void): Promise<HistoryFigures["memory"]> {
  const dir = mkdtempSync(join(tmpdir(), "cab-memory-"));
  const server = await startEmbeddingsServer();
  try {
    const target = sqliteTarget(dir);
    const store = await openStore(target);
    const embedder = await openAiEmbedder({ baseUrl: `${server.url}/v1`, model: "bench-embedding", apiKeyEnv: null });
    const rng = random(7);
    const t0 = performance.now();
    for (let i = 0; i < count; i += 1000) {
      const texts = Array.from({ length: Math.min(1000, count - i) }, () => words(rng, 10));
      const vectors = await embedder.embed(texts);
      const now = Date.now();
      await store.db
        .insertInto("memory")
        .values(
          texts.map((text, k) => ({
            id: `m-${i + k}`,
            scope: k % 3 === 0 ? "agent" : "swarm",
            scope_value: k % 3 === 0 ? `agent-${k % 5}` : "",
            text,
            source: "bench",
            created_at: now,
            expires_at: null,
            created_by: null,
            created_via: null,
            embedding: toBlob(vectors[k]!),
            embedding_model: embedder.model,
          })),
        )
        .execute();
    }
    say(`  ${count} entries with vectors in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const fullText = new Memory(store, null);
    const hybrid = new Memory(store, embedder);
    await hybrid.search("warm up the vector cache");
    const ft: number[] = [];
    const hy: number[] = [];
    for (let q = 0; q < queries; q++) {
      const text = words(rng, 4);
      const filter = { agents: ["agent-1"], repos: [] };
      let t = performance.now();
      await fullText.search(text, filter, 5);
      ft.push(performance.now() - t);
      t = performance.now();
      await hybrid.search(text, filter, 5);
      hy.push(performance.now() - t);
    }
    await store.close();
    return { entries: count, fullText: summarize(ft), hybrid: summarize(hy) };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

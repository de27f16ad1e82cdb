/**
 * `npm run bench:history`: the history's figures (writer lag and burst
 * throughput with and without it, task search over 1,000,000 tasks, memory
 * search over 100,000 entries), printed as a table for BENCHMARKS.md.
 *   BENCH_QUICK=1 npm run bench:history   (100 tasks, 100,000 / 10,000 rows)
 */
import { Cleanups } from "./bench/cleanup.js";
import { measureBurst, measureMemory, measureSearch } from "./bench/history.js";

const QUICK = process.env.BENCH_QUICK === "1";
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const f = (n: number): string => n.toFixed(1);

const cleanups = new Cleanups();
process.once("SIGINT", () => void cleanups.runAll(say).then(() => process.exit(130)));
try {
  const burstSize = QUICK ? 100 : 1000;
  say(`burst of ${burstSize} \`true\` tasks on 8 replicas, without then with the history writer`);
  const burst = await measureBurst(burstSize, 8, cleanups, say);
  say(`  lag p50 / p95 / max: ${f(burst.lag.p50)} / ${f(burst.lag.p95)} / ${f(burst.lag.max)} ms`);
  const tasks = QUICK ? 100_000 : 1_000_000;
  say(`\ntasks --search over ${tasks} generated tasks (SQLite, FTS5)`);
  const search = await measureSearch(tasks, 100, say);
  say(`  p50 / p95: ${f(search.p50)} / ${f(search.p95)} ms`);
  const entries = QUICK ? 10_000 : 100_000;
  say(`\nmemory search over ${entries} entries (SQLite; hybrid with a local /v1/embeddings server, 72 dimensions)`);
  const memory = await measureMemory(entries, 100, say);
  say("\n| figure | value | goal |\n|---|---|---|");
  say(
    `| burst of ${burst.tasks}: throughput without / with history | ${f(burst.withoutHistory)} / ${f(burst.withHistory)} tasks/s (${f((1 - burst.withHistory / burst.withoutHistory) * 100)} % less) | within 5 % |`,
  );
  say(`| history lag (task finished → its row written), p50 / p95 / max | ${f(burst.lag.p50)} / ${f(burst.lag.p95)} / ${f(burst.lag.max)} ms | p95 < 1 s |`);
  say(
    `| \`tasks --search\` over ${search.tasks} tasks (in-process query, limit 50), p50 / p95 | ${f(search.p50)} / ${f(search.p95)} ms (store built in ${f(search.buildSec)} s) | p95 < 50 ms |`,
  );
  say(`| memory search over ${memory.entries} entries, full-text p50 / p95 | ${f(memory.fullText.p50)} / ${f(memory.fullText.p95)} ms | p95 < 100 ms |`);
  say(`| memory search, hybrid (query embedding over HTTP + vectors + RRF) p50 / p95 | ${f(memory.hybrid.p50)} / ${f(memory.hybrid.p95)} ms | p95 < 100 ms |`);
} finally {
  await cleanups.runAll(say);
}

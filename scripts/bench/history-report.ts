/** The history's part of BENCHMARKS.md (issue 15): its rows of the targets table and its details section. */
import type { Cleanups } from "./cleanup.js";
import { type HistoryFigures, measureBurst, measureMemory, measureSearch } from "./history.js";
import { ms, pct, rate, targetsTable, verdict } from "./stats.js";

/** The burst's throughput with history against without, as the loss in % (negative: faster with it). */
export const historyLossPct = (h: HistoryFigures): number => (1 - h.burst.withHistory / h.burst.withoutHistory) * 100;

/** The three measurements of history.ts, printed through `say` as they are made. */
export async function measureHistoryFigures(quick: boolean, cleanups: Cleanups, say: (line: string) => void): Promise<HistoryFigures> {
  const burstSize = quick ? 100 : 1000;
  say(`\nhistory: ${burstSize} \`true\` tasks on 8 replicas with the history writer and ${burstSize} without, in four alternating bursts each`);
  const burst = await measureBurst(burstSize, 8, cleanups, say);
  const tasks = quick ? 100_000 : 1_000_000;
  say(`history: tasks --search over ${tasks} generated tasks (SQLite, FTS5)`);
  const search = await measureSearch(tasks, 100, say);
  const entries = quick ? 10_000 : 100_000;
  say(`history: memory search over ${entries} entries (SQLite; hybrid with a local /v1/embeddings server, 72 dimensions)`);
  const memory = await measureMemory(entries, 100, say);
  return { burst, search, memory };
}

/** Rows of the "Against the targets" table (Measure | Ours | Baseline | Peer-style | Target | Verdict). */
export function historyTargetRows(h: HistoryFigures): string[] {
  const { burst, search, memory } = h;
  const loss = historyLossPct(h);
  return [
    `| A ${burst.tasks.toLocaleString("en-US")}-task burst's throughput with the history writer beside without | ${rate(burst.withHistory)} (${loss >= 0 ? `${pct(loss)} less` : `${pct(-loss)} more: within the noise`}) | ${rate(burst.withoutHistory)} (no history) | — | within 5 % | ${verdict(loss <= 5)} |`,
    `| History lag in that burst (task finished → its row written), p95 | ${ms(burst.lag.p95)} (p50 ${ms(burst.lag.p50)}, max ${ms(burst.lag.max)}) | — | — | < 1 s | ${verdict(burst.lag.p95 < 1000)} |`,
    `| \`tasks --search\` over ${search.tasks.toLocaleString("en-US")} generated tasks (limit 50), p95 | ${ms(search.p95)} (p50 ${ms(search.p50)}) | — | — | < 50 ms | ${verdict(search.p95 < 50)} |`,
    `| Memory search over ${memory.entries.toLocaleString("en-US")} entries, full-text, p95 | ${ms(memory.fullText.p95)} (p50 ${ms(memory.fullText.p50)}) | — | — | < 100 ms | ${verdict(memory.fullText.p95 < 100)} |`,
    `| Memory search over ${memory.entries.toLocaleString("en-US")} entries, hybrid (query embedding over HTTP, vectors, RRF), p95 | ${ms(memory.hybrid.p95)} (p50 ${ms(memory.hybrid.p50)}) | — | — | < 100 ms | ${verdict(memory.hybrid.p95 < 100)} |`,
  ];
}

/** The details section: how each figure was measured. */
export function historyDetails(h: HistoryFigures): string[] {
  const { burst, search, memory } = h;
  return [
    "### History and memory",
    "",
    `**The writer in a burst.** Two swarms of one shell agent × 8 replicas up together, one with the history writer off (\`CLAUDE_AGENT_HISTORY=off\`), each given ${burst.tasks} \`true\` tasks through the SDK in four bursts submitted at once, after a warm-up burst on each, the bursts alternating between the swarms so that the machine's drifting load and warm-up skew both alike (scripts/bench/history.ts): ${rate(burst.withoutHistory)} without, ${rate(burst.withHistory)} with. The lag is each task's row's \`updated_at\` in the SQLite store minus its \`finished_at\`: the writer reads the event stream with a consumer group and upserts in batches.`,
    "",
    `**\`tasks --search\`.** ${search.tasks.toLocaleString("en-US")} tasks generated straight into a fresh SQLite store with its FTS5 triggers (built in ${search.buildSec.toFixed(1)} s), then ${search.queries} searches of three words through \`History.tasks({ search, limit: 50 })\`, the query \`claude-agent tasks --search\` runs, in this process.`,
    "",
    `**Memory search.** ${memory.entries.toLocaleString("en-US")} entries of ten words with their vectors (72 dimensions, from a local \`/v1/embeddings\` server of the tests, test/fixtures/llm/embeddings.ts), then ${memory.fullText.n} queries of four words, each filtered to one agent's and the swarm's entries and limited to 5: full-text (FTS5), and hybrid (the query's embedding over HTTP, cosine over the vectors, the two rankings merged by reciprocal rank fusion).`,
    "",
  ];
}

/** BENCH_ONLY=history: the rows of the targets table, as text. */
export function historySummary(h: HistoryFigures): string {
  return targetsTable(historyTargetRows(h));
}

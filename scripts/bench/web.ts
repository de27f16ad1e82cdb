/**
 * The web dashboard's figures (issue 14), in Debian's headless Chromium
 * (playwright-core) against a real daemon serving the built dashboard, on a
 * swarm of 64 shell agents:
 *  - first contentful paint, and the moment all 64 rows are in the page and
 *    the event stream is live, for a first visit (a one-time login code in
 *    the address's fragment, a fresh browser context: no cookie, no cache)
 *    and for a reload with the session cookie; the first load's size;
 *  - events applied per second while a burst of `true` tasks runs with the
 *    Agents view open, and the page's long tasks meanwhile;
 *  - a terminal's latency: a marker written to an agent's pane tty, until
 *    the page has it over the WebSocket and until xterm.js has drawn it.
 * The page is measured from inside (web-page.ts); intervals that start in
 * this process end in this process too (a binding the page calls).
 *
 * Part of the full run (BENCHMARKS.md: web-report.ts);
 *   BENCH_ONLY=web npm run bench        prints them alone (BENCH_QUICK=1: smaller)
 */
import { spawnSync } from "node:child_process";
import { closeSync, constants, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import type { Cleanups } from "./cleanup.js";
import { childrenOf, clockTicks, readStat } from "./procfs.js";
import { describe, ms, pct, summarize, type Summary } from "./stats.js";
import { CLI, startBenchSwarm, type BenchSwarm } from "./swarm.js";
import {
  eventStats,
  instrumentedPage,
  longTasksBetween,
  type MainThreadTasks,
  pageMarks,
  pageNow,
  traceTasks,
  watchMarker,
  type PageMarks,
} from "./web-page.js";

type Say = (line: string) => void;

export const CHROMIUM = "/usr/bin/chromium";
const DIST_WEB = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../web");
const AGENTS = 64;
const PAGE_TIMEOUT_MS = 30_000;
const RESULT_TIMEOUT_MS = 180_000;
const IDLE_MS = 10_000;

export interface LoadFigures {
  readonly fcp: Summary;
  readonly rows: Summary;
  readonly live: Summary;
  /** max(rows, live) of each load. */
  readonly ready: Summary;
}

export interface WebFigures {
  readonly agents: number;
  readonly chromium: string;
  /** The first page of the freshly launched browser (not in `firstVisit`). */
  readonly cold: PageMarks;
  readonly firstVisit: LoadFigures;
  readonly reload: LoadFigures;
  /** dist/web/sizes.json: gzip -9 of index.html, the script and the stylesheet, and of the chunks loaded later (xterm.js, with a terminal); the bytes a first visit transferred (the API does not compress). */
  readonly firstLoad: { readonly gzip: number; readonly laterGzip: number; readonly wire: number };
  readonly burst: {
    readonly tasks: number;
    readonly seconds: number;
    readonly events: number;
    /** From the last task's result to the page having applied the stream's newest event. */
    readonly behindMs: number;
    readonly longTasks: number;
    readonly longestMs: number;
    /** Long tasks while the same page sat idle for `idleS` seconds just before: what the machine's load alone causes. */
    readonly idleS: number;
    readonly idleLongTasks: number;
    /** The renderers' main-thread tasks during the burst, from a Chromium trace: wall time against the thread's own CPU time. */
    readonly trace: MainThreadTasks;
    /** CPU of Chromium's renderer processes (the page's) over the burst, in % of a core: the page's own cost, whatever the machine's load. */
    readonly rendererCpuPct: number;
  };
  readonly terminal: {
    readonly session: string;
    readonly socket: Summary;
    readonly drawn: Summary;
    /** Half the p50 round trip of a call from this process into the page and back through the binding: the report's own share of each sample. */
    readonly reportMs: number;
  };
}

export type WebResult = WebFigures | { readonly skipped: string };

/** Redis stream ids (`ms-seq`): is `a` the same as or after `b`? */
export function streamIdAtLeast(a: string, b: string): boolean {
  const [am = 0n, as = 0n] = a.split("-").map((part) => BigInt(part || 0));
  const [bm = 0n, bs = 0n] = b.split("-").map((part) => BigInt(part || 0));
  return am > bm || (am === bm && as >= bs);
}

/** Why the web figures cannot be measured here, or null. */
function missing(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (sudo apt-get install -y chromium)`;
  if (!existsSync(join(DIST_WEB, "index.html"))) return "the dashboard is not built (npm run build)";
  return null;
}

interface Context {
  readonly swarm: BenchSwarm;
  readonly url: string;
  readonly token: string;
  readonly browser: Browser;
  readonly seen: Map<string, number>;
}

function loginCode(swarm: BenchSwarm): string {
  const run = spawnSync(process.execPath, [CLI, "--home", swarm.home, "web", "--json", "--no-open"], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`claude-agent web failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { code: string }).code;
}

const onSeen = (seen: Map<string, number>) => (marker: string, where: string) => {
  const key = `${where}:${marker}`;
  if (!seen.has(key)) seen.set(key, performance.now());
};

/** A first visit (code in the fragment) in a fresh context, then a reload with the session cookie; the caller closes the context. */
async function visit(ctx: Context): Promise<{ page: Page; first: PageMarks; reload: PageMarks }> {
  const page = await instrumentedPage(ctx.browser, AGENTS, onSeen(ctx.seen));
  await page.goto(`${ctx.url}/#code=${loginCode(ctx.swarm)}`);
  const first = await pageMarks(page, PAGE_TIMEOUT_MS);
  await page.reload();
  const reload = await pageMarks(page, PAGE_TIMEOUT_MS);
  return { page, first, reload };
}

function loads(marks: PageMarks[]): LoadFigures {
  const pick = (f: (m: PageMarks) => number | null): Summary => summarize(marks.map((m) => f(m) ?? Number.NaN));
  return {
    fcp: pick((m) => m.fcp),
    rows: pick((m) => m.rowsAt),
    live: pick((m) => m.liveAt),
    ready: pick((m) => Math.max(m.rowsAt ?? Number.NaN, m.liveAt ?? Number.NaN)),
  };
}

async function pageLoads(ctx: Context, rounds: number): Promise<{ page: Page; cold: PageMarks; firstVisit: LoadFigures; reload: LoadFigures; wire: number }> {
  const cold = await visit(ctx);
  await cold.page.context().close();
  say(
    `first page of the fresh browser: first paint ${ms(cold.first.fcp ?? Number.NaN)}, ${AGENTS} rows ${ms(cold.first.rowsAt ?? Number.NaN)}, live ${ms(cold.first.liveAt ?? Number.NaN)}`,
  );
  const first: PageMarks[] = [];
  const again: PageMarks[] = [];
  let page: Page | null = null;
  for (let i = 0; i < rounds; i++) {
    await page?.context().close();
    const round = await visit(ctx);
    page = round.page;
    first.push(round.first);
    again.push(round.reload);
  }
  const figures = { page: page!, cold: cold.first, firstVisit: loads(first), reload: loads(again), wire: first[0]!.transferred };
  say(`first visit (login code in the fragment, fresh context), first contentful paint: ${describe(figures.firstVisit.fcp)}`);
  say(`  all ${AGENTS} rows and the event stream live:                              ${describe(figures.firstVisit.ready)}`);
  say(`reload with the session cookie, first contentful paint:                    ${describe(figures.reload.fcp)}`);
  say(`  all ${AGENTS} rows and the event stream live:                              ${describe(figures.reload.ready)}`);
  return figures;
}

async function newestEventId(ctx: Context): Promise<string> {
  const reply = await fetch(`${ctx.url}/v1/events/history?limit=1`, { headers: { authorization: `Bearer ${ctx.token}` } });
  if (!reply.ok) throw new Error(`GET /v1/events/history answered ${reply.status}`);
  return ((await reply.json()) as { lastId: string }).lastId;
}

/** Chromium's renderer processes, found in the browser's process tree under this process. */
function rendererPids(): number[] {
  const renderers: number[] = [];
  const walk = (pid: number): void => {
    for (const child of childrenOf(pid)) {
      if (!child.comm.startsWith("chrom")) continue;
      if (readFileSync(`/proc/${child.pid}/cmdline`, "utf8").includes("--type=renderer")) renderers.push(child.pid);
      walk(child.pid);
    }
  };
  walk(process.pid);
  return renderers;
}

const cpuSeconds = (pids: readonly number[]): number => pids.reduce((sum, pid) => sum + (readStat(pid)?.cpu ?? 0), 0) / clockTicks();

async function burst(ctx: Context, page: Page, tasks: number): Promise<WebFigures["burst"]> {
  const sdk = await ctx.swarm.sdk();
  const renderers = rendererPids();
  const idleFrom = await pageNow(page);
  await sleep(IDLE_MS);
  const idleLong = await longTasksBetween(page, idleFrom, await pageNow(page));
  const tracing = await traceTasks(ctx.browser, page);
  const cpu0 = cpuSeconds(renderers);
  const before = await eventStats(page);
  const p0 = await pageNow(page);
  const t0 = performance.now();
  const handles = await Promise.all(Array.from({ length: tasks }, (_, i) => sdk.submit({ task: "true", agent: `a${i % AGENTS}` })));
  const results = await Promise.all(handles.map((h) => h.result({ signal: AbortSignal.timeout(RESULT_TIMEOUT_MS) })));
  const done = performance.now();
  const failed = results.filter((r) => r.status !== "completed");
  if (failed.length > 0) throw new Error(`${failed.length} of the burst's tasks did not complete (first: ${failed[0]!.status})`);
  const newest = await newestEventId(ctx);
  let after = await eventStats(page);
  while (!streamIdAtLeast(after.lastId, newest)) {
    if (performance.now() - done > PAGE_TIMEOUT_MS)
      throw new Error(`the page did not apply event ${newest} within ${PAGE_TIMEOUT_MS / 1000} s (at ${after.lastId})`);
    await sleep(10);
    after = await eventStats(page);
  }
  const caught = performance.now();
  const rendererCpuS = cpuSeconds(renderers) - cpu0;
  const trace = await tracing.stop();
  const long = await longTasksBetween(page, p0, await pageNow(page));
  const figures = {
    tasks,
    seconds: (caught - t0) / 1000,
    events: after.events - before.events,
    behindMs: caught - done,
    longTasks: long.length,
    longestMs: Math.max(0, ...long.map((t) => t.duration)),
    idleS: IDLE_MS / 1000,
    idleLongTasks: idleLong.length,
    trace,
    rendererCpuPct: (100 * rendererCpuS) / ((caught - t0) / 1000),
  };
  say(
    `burst of ${tasks} \`true\` over ${AGENTS} agents, Agents view open: ${figures.events} events applied in ${figures.seconds.toFixed(2)} s → ${(figures.events / figures.seconds).toFixed(0)} events/s; caught up ${ms(figures.behindMs)} after the last result`,
  );
  say(
    `  long tasks (≥ 50 ms) meanwhile: ${figures.longTasks}${figures.longTasks ? `, the longest ${ms(figures.longestMs)}` : ""} (target: none); ${figures.idleLongTasks} in ${figures.idleS} s with the page idle just before; Chromium's renderers used ${pct(figures.rendererCpuPct)} of a core (${renderers.length} process${renderers.length === 1 ? "" : "es"})`,
  );
  say(
    `  traced main-thread tasks: ${trace.tasks}, ${trace.longWall} of 50 ms or more of wall time, ${trace.longCpu} of 50 ms or more of CPU time (the most CPU in one task: ${ms(trace.maxCpuMs)})`,
  );
  return figures;
}

function paneOf(swarm: BenchSwarm, agent: string): { session: string; tty: string } {
  const listed = spawnSync("tmux", ["-S", swarm.paths.tmuxSocket, "list-panes", "-a", "-F", "#{session_name}\t#{pane_tty}"], { encoding: "utf8" });
  for (const line of listed.stdout.split("\n")) {
    const [session, tty] = line.split("\t");
    if (session && tty && session.startsWith(`${agent}-`)) return { session, tty };
  }
  throw new Error(`no pane of agent ${agent}: ${listed.stderr}`);
}

async function seenWithin(seen: Map<string, number>, key: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (!seen.has(key)) {
    if (performance.now() > deadline) throw new Error(`the page never reported ${key}`);
    await sleep(1);
  }
  return seen.get(key)!;
}

async function terminalLatency(ctx: Context, page: Page, samples: number): Promise<WebFigures["terminal"]> {
  const { session, tty } = paneOf(ctx.swarm, "a0");
  await page.evaluate((s) => {
    location.hash = `#/terminal/${encodeURIComponent(s)}`;
  }, session);
  await page.waitForSelector("[data-terminal-state=live]", { timeout: PAGE_TIMEOUT_MS });
  await sleep(500); // tmux's first full redraw of the window
  const round: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await page.evaluate((m) => window.__benchSeen!(m, "probe"), `probe-${i}`);
    round.push((await seenWithin(ctx.seen, `probe:probe-${i}`, 5_000)) - t0);
  }
  const socket: number[] = [];
  const drawn: number[] = [];
  const nonce = Math.random().toString(36).slice(2, 8);
  // O_NOCTTY: the pane's tty must not become this process's controlling terminal.
  const fd = openSync(tty, constants.O_WRONLY | constants.O_NOCTTY);
  try {
    for (let i = 0; i < samples + 5; i++) {
      const marker = `bench-${nonce}-${i}`;
      await watchMarker(page, marker);
      const t0 = performance.now();
      writeSync(fd, `${marker}\r\n`);
      const t1 = await seenWithin(ctx.seen, `drawn:${marker}`, 5_000);
      if (i >= 5) {
        drawn.push(t1 - t0);
        socket.push((ctx.seen.get(`socket:${marker}`) ?? Number.NaN) - t0);
      }
      await sleep(50);
    }
  } finally {
    closeSync(fd);
    await watchMarker(page, null);
  }
  const figures = { session, socket: summarize(socket.filter(Number.isFinite)), drawn: summarize(drawn), reportMs: summarize(round).p50 / 2 };
  say(`terminal of ${session}: a marker written to the pane's tty → in the page over the WebSocket: ${describe(figures.socket)}`);
  say(`  → drawn by xterm.js: ${describe(figures.drawn)} (target p50 ≤ 30 ms; each includes the page's report to this process, ~${ms(figures.reportMs)})`);
  return figures;
}

/** The web figures, printed through `say` as they are measured; or why they were not. */
export async function measureWebFigures(quick: boolean, cleanups: Cleanups, print: Say): Promise<WebResult> {
  say = print;
  let why = missing();
  let playwright: typeof import("playwright-core") | null = null;
  try {
    playwright = await import("playwright-core");
  } catch (error) {
    why ??= `playwright-core cannot be loaded: ${(error as Error).message}`;
  }
  if (why || !playwright) {
    say(`\nweb dashboard: not measured: ${why}`);
    return { skipped: why ?? "playwright-core cannot be loaded" };
  }
  say(`\nweb dashboard: a swarm of ${AGENTS} shell agents serving the built dashboard; ${CHROMIUM}, headless, through playwright-core`);
  const roster = Array.from({ length: AGENTS }, (_, i) => `  - name: a${i}\n    runtime: shell\n    timeout: 120\n`).join("");
  const swarm = await startBenchSwarm(AGENTS, cleanups, `agents:\n${roster}api:\n  listen: 127.0.0.1:0\n  rate_limit: 10000000\n`);
  try {
    // --no-sandbox: Chromium refuses to run its sandbox as root. Playwright's own signal handlers would
    // close the browser and exit the process on Ctrl-C before the bench's cleanups stop the swarm.
    const browser = await playwright.chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox"],
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const closeBrowser = cleanups.add("chromium", () => browser.close());
    try {
      const run = JSON.parse(readFileSync(join(swarm.paths.runDir, "api.json"), "utf8")) as { url: string };
      const token = readFileSync(join(swarm.home, "api.token"), "utf8").trim();
      const ctx: Context = { swarm, url: run.url.replace(/\/$/, ""), token, browser, seen: new Map() };
      const sizes = JSON.parse(readFileSync(join(DIST_WEB, "sizes.json"), "utf8")) as { firstLoadGzip: number; later: { file: string; gzip: number }[] };
      const laterGzip = sizes.later.reduce((sum, chunk) => sum + chunk.gzip, 0);
      const loaded = await pageLoads(ctx, quick ? 5 : 10);
      say(
        `first load: ${(loaded.wire / 1024).toFixed(1)} KB over the wire (served uncompressed), ${(sizes.firstLoadGzip / 1024).toFixed(1)} KB gzipped (target ≤ 300 KB); chunks loaded with a terminal ${(laterGzip / 1024).toFixed(1)} KB gzipped`,
      );
      const burstFigures = await burst(ctx, loaded.page, quick ? 300 : 1000);
      const terminal = await terminalLatency(ctx, loaded.page, quick ? 30 : 50);
      return {
        agents: AGENTS,
        chromium: browser.version(),
        cold: loaded.cold,
        firstVisit: loaded.firstVisit,
        reload: loaded.reload,
        firstLoad: { gzip: sizes.firstLoadGzip, laterGzip, wire: loaded.wire },
        burst: burstFigures,
        terminal,
      };
    } finally {
      await closeBrowser();
    }
  } finally {
    await swarm.stop();
  }
}

let say: Say = () => undefined;

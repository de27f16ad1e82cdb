/** The web dashboard's part of BENCHMARKS.md: its rows of the targets table and its details section. */
import { ms, pct, targetsTable, verdict, type Summary } from "./stats.js";
import type { WebFigures, WebResult } from "./web.js";

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

/** Events the page applied per second of the burst (first submit → the page caught up). */
export const eventsPerSecond = (web: WebFigures): number => web.burst.events / web.burst.seconds;

/** Rows of the "Against the targets" table (Measure | Ours | Baseline | Peer-style | Target | Verdict). */
export function webTargetRows(web: WebResult): string[] {
  if ("skipped" in web) {
    return [
      `| Web dashboard: first paint, a burst's long tasks, terminal latency | not measured: ${web.skipped} | — | — | < 1 s; none ≥ 50 ms; p50 ≤ 30 ms | not measured |`,
    ];
  }
  const { firstVisit, reload, firstLoad, burst, terminal } = web;
  return [
    `| Web dashboard with ${web.agents} agents, first contentful paint, first visit (login code in the address), p50 | ${ms(firstVisit.fcp.p50)} (max ${ms(firstVisit.fcp.max)}; reload with the session cookie ${ms(reload.fcp.p50)}) | — | — | < 1 s | ${verdict(firstVisit.fcp.p50 < 1000)} |`,
    `| Web dashboard, all ${web.agents} agents shown and the event stream live, first visit, p50 | ${ms(firstVisit.ready.p50)} (reload ${ms(reload.ready.p50)}) | — | — | — (for information) | — |`,
    `| Web dashboard, first load gzipped (xterm.js loads with a terminal, apart) | ${kb(firstLoad.gzip)} | — | — | ≤ 300 KB | ${verdict(firstLoad.gzip <= 300 * 1024)} |`,
    `| Web dashboard, ${burst.tasks.toLocaleString("en-US")}-task burst with the Agents view open: events applied; long tasks ≥ 50 ms | ${eventsPerSecond(web).toFixed(0)} events/s; ${burst.longTasks} long task${burst.longTasks === 1 ? "" : "s"}${burst.longTasks ? ` (longest ${ms(burst.longestMs)})` : ""}, ${burst.idleLongTasks} in ${burst.idleS} s of the page idle before; the page's renderer ${pct(burst.rendererCpuPct)} of a core, at most ${ms(burst.trace.maxCpuMs)} of CPU in one task | — | — | no long task ≥ 50 ms | ${verdict(burst.longTasks === 0)} |`,
    `| Web terminal, pane output → drawn by xterm.js in the browser, p50 | ${ms(terminal.drawn.p50)} (in the page over the WebSocket: ${ms(terminal.socket.p50)}) | — | — | ≤ 30 ms | ${verdict(terminal.drawn.p50 <= 30)} |`,
  ];
}

/** The details section: how each figure was measured, and the samples. */
export function webDetails(web: WebResult): string[] {
  if ("skipped" in web) return ["### Web dashboard", "", `Not measured: ${web.skipped}.`, ""];
  const { cold, firstVisit, reload, firstLoad, burst, terminal } = web;
  const row = (name: string, s: Summary): string =>
    `| ${name} | ${s.n} | ${ms(s.min)} | ${ms(s.mean)} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} |`;
  return [
    "### Web dashboard",
    "",
    `Headless Chromium ${web.chromium} (Debian's, driven by playwright-core) against a swarm of ${web.agents} shell agents whose daemon serves the built dashboard on loopback (scripts/bench/web.ts). The page is measured from inside: a script added before the page's own (scripts/bench/web-page.ts) notes, on the page's clock (ms since navigation, as the browser's \`first-contentful-paint\`), the first moment all ${web.agents} rows are in the Agents view and the first moment the header says \`live\` (the event stream's response has arrived), and observes long tasks (\`PerformanceObserver\`, type \`longtask\`).`,
    "",
    `**Loading.** Each round opens a fresh browser context (no cookie, empty cache) at \`/#code=<one-time login code>\` from \`claude-agent web --json\`: the page logs in (\`POST /web/login\`), then reads the status, the tasks, the inbox and the newest events, and opens the event stream; then reloads with the session cookie it got (the assets from the cache). ${firstVisit.fcp.n} rounds, after one not counted: the first page of the freshly launched browser (first paint ${ms(cold.fcp ?? Number.NaN)}, rows ${ms(cold.rowsAt ?? Number.NaN)}, live ${ms(cold.liveAt ?? Number.NaN)}). The first visit transferred ${kb(firstLoad.wire)} (the document, the script and the stylesheet: the API serves them uncompressed); gzipped (\`dist/web/sizes.json\`, written by the build) they are ${kb(firstLoad.gzip)}, and the chunks loaded only with a terminal or a replay (xterm.js) ${kb(firstLoad.laterGzip)}.`,
    "",
    "| ms since navigation | n | min | mean | p50 | p95 | p99 | max |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    row("first visit: first contentful paint", firstVisit.fcp),
    row(`first visit: all ${web.agents} rows`, firstVisit.rows),
    row("first visit: event stream live", firstVisit.live),
    row("reload (cookie): first contentful paint", reload.fcp),
    row(`reload (cookie): all ${web.agents} rows`, reload.rows),
    row("reload (cookie): event stream live", reload.live),
    "",
    `**A burst with the page open.** ${burst.tasks.toLocaleString("en-US")} \`true\` tasks submitted at once through the SDK, spread over the ${web.agents} agents, while the page shows the Agents view (${web.agents} rows and the newest events, every event re-rendering it). The page counts the events its store applies (\`window.__claudeAgentStats\`, read only by the bench): ${burst.events.toLocaleString("en-US")} in ${burst.seconds.toFixed(2)} s, from the first submit until the page had applied the stream's newest event after the last result, ${ms(burst.behindMs)} after that result: ${eventsPerSecond(web).toFixed(0)} events/s, which is the swarm's own rate (the page keeps up; it does not set the pace). Long tasks in that time: ${burst.longTasks}${burst.longTasks ? `, the longest ${ms(burst.longestMs)}` : ""}; in the ${burst.idleS} s just before, with the same page open and nothing happening: ${burst.idleLongTasks}. A long task is measured in wall time: the browser shares the machine's cores with the daemon, Redis, tmux and the ${web.agents} shells running the burst (and, on a shared machine, whatever else runs), so a renderer kept waiting for a core shows long tasks that are not its own work. Its own work: Chromium's renderer processes used ${pct(burst.rendererCpuPct)} of a core over the burst (utime + stime from /proc); and a trace of the renderers' main-thread tasks over the burst (Chromium's \`toplevel\` category, which records each task's wall time and its thread's CPU time) counted ${burst.trace.tasks.toLocaleString("en-US")} tasks, ${burst.trace.longWall} of 50 ms or more of wall time and ${burst.trace.longCpu} of 50 ms or more of CPU time; the most CPU time one task took was ${ms(burst.trace.maxCpuMs)}.`,
    "",
    `**Terminal latency.** The page opens the live terminal of ${terminal.session} (xterm.js, fed over a WebSocket by a pty running \`tmux attach -r\` in the daemon). This process then writes a unique marker line straight to the pane's tty, as a program in the pane writes its output, ${terminal.drawn.n} times (after 5 not counted) 50 ms apart. Each interval starts just before that write and ends when this process receives the page's report (a playwright binding): once when a WebSocket frame holding the marker reaches the page (before xterm.js gets it), and once when the marker is in xterm.js's rendered rows (a MutationObserver on its DOM renderer: what a person sees). Between them: tmux reads the pane's output and redraws it to its read-only client, the daemon's pty reads that and sends a frame. Both ends on this process's clock; each includes the report's own hop from the page, about ${ms(terminal.reportMs)} (half the p50 of 20 round trips into the page and back through the binding).`,
    "",
    "| pane tty write → | n | min | mean | p50 | p95 | p99 | max |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    row("frame in the page (WebSocket)", terminal.socket),
    row("drawn by xterm.js", terminal.drawn),
    "",
  ];
}

/** BENCH_ONLY=web: the rows of the targets table, as text. */
export function webSummary(web: WebResult): string {
  return targetsTable(webTargetRows(web));
}

/**
 * What the web bench puts into the dashboard's page before its own scripts
 * run (page.addInitScript), to measure it from inside, as a user's browser
 * would see it:
 *  - the first moment all the agents' rows are in the page and the moment
 *    the header says `live` (the event stream connected), from the page's
 *    own clock (ms since navigation, as `first-contentful-paint`);
 *  - long tasks (a PerformanceObserver of type `longtask`: the main thread
 *    busy 50 ms or more, so input would wait that long);
 *  - the first moment a marker written into a pane reaches the page over the
 *    terminal's WebSocket, and the first moment xterm.js has drawn it, each
 *    reported at once to the bench through a binding (`__benchSeen`), so that
 *    both ends of the interval are read on the bench's own clock.
 * Nothing here changes what the page does.
 */
import type { Browser, Page } from "playwright-core";

export interface PageMarks {
  /** ms since navigation: every expected row present (`tr[data-session]`), and the header's `[data-live=live]`. */
  readonly rowsAt: number | null;
  readonly liveAt: number | null;
  /** `first-contentful-paint`, ms since navigation. */
  readonly fcp: number | null;
  /** Bytes over the wire for the document and its scripts and stylesheets (resource timing's transferSize). */
  readonly transferred: number;
}

export interface LongTask {
  readonly start: number;
  readonly duration: number;
}

declare global {
  interface Window {
    __bench?: { rowsAt: number | null; liveAt: number | null; longTasks: LongTask[]; marker: string | null; seen: Record<string, boolean> };
    __benchSeen?: (marker: string, where: "socket" | "drawn" | "probe") => void;
    __claudeAgentStats?: { events: number; lastId: string };
  }
}

/** Runs in the page before its scripts, on every navigation. Self-contained: it is sent as source text. */
function instrument(expectedRows: number): void {
  const bench: NonNullable<Window["__bench"]> = { rowsAt: null, liveAt: null, longTasks: [], marker: null, seen: {} };
  window.__bench = bench;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: "longtask", buffered: true });
  const report = (where: "socket" | "drawn"): void => {
    const marker = bench.marker;
    if (marker === null || bench.seen[`${where}:${marker}`]) return;
    bench.seen[`${where}:${marker}`] = true;
    window.__benchSeen?.(marker, where);
  };
  new MutationObserver(() => {
    if (bench.rowsAt === null && document.querySelectorAll("tr[data-session]").length >= expectedRows) bench.rowsAt = performance.now();
    if (bench.liveAt === null && document.querySelector("[data-live=live]")) bench.liveAt = performance.now();
    if (bench.marker !== null && document.querySelector(".xterm-rows")?.textContent?.includes(bench.marker)) report("drawn");
  }).observe(document, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["data-live"] });
  // The terminal's frames, seen before xterm.js gets them (this listener is added first).
  const Native = window.WebSocket;
  const decoder = new TextDecoder();
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener("message", (event: MessageEvent) => {
        if (bench.marker !== null && event.data instanceof ArrayBuffer && decoder.decode(event.data).includes(bench.marker)) report("socket");
      });
    }
  };
}

/** A fresh context (no cookie, empty cache) with the instrumentation, and `onSeen` for the terminal markers. */
export async function instrumentedPage(browser: Browser, expectedRows: number, onSeen: (marker: string, where: string) => void): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.exposeBinding("__benchSeen", (_source, marker: string, where: string) => onSeen(marker, where));
  await context.addInitScript(instrument, expectedRows);
  return context.newPage();
}

/** Waits until the rows and `live` are both there, then reads the page's marks. */
export async function pageMarks(page: Page, timeoutMs: number): Promise<PageMarks> {
  await page.waitForFunction(() => window.__bench?.rowsAt != null && window.__bench.liveAt != null, undefined, { timeout: timeoutMs, polling: 50 });
  return page.evaluate(() => {
    const first = ["navigation", "resource"].flatMap((type) => performance.getEntriesByType(type) as PerformanceResourceTiming[]);
    return {
      rowsAt: window.__bench!.rowsAt,
      liveAt: window.__bench!.liveAt,
      fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
      transferred: first.filter((e) => e.entryType === "navigation" || /\.(js|css)$/.test(e.name)).reduce((sum, e) => sum + e.transferSize, 0),
    };
  });
}

/** Long tasks that started between `from` and `to` (the page's clock). */
export function longTasksBetween(page: Page, from: number, to: number): Promise<LongTask[]> {
  return page.evaluate(([a, b]) => window.__bench!.longTasks.filter((t) => t.start >= a! && t.start <= b!), [from, to]);
}

export const pageNow = (page: Page): Promise<number> => page.evaluate(() => performance.now());

export const eventStats = (page: Page): Promise<{ events: number; lastId: string }> =>
  page.evaluate(() => window.__claudeAgentStats ?? { events: Number.NaN, lastId: "" });

/** Watches for `marker` in the terminal (one at a time). */
export const watchMarker = (page: Page, marker: string | null): Promise<void> =>
  page.evaluate((m) => {
    window.__bench!.marker = m;
  }, marker);

interface TraceEvent {
  readonly ph: string;
  readonly name: string;
  readonly pid: number;
  readonly tid: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { readonly name?: string };
}

/** The main threads' tasks of a trace: how many took 50 ms or more of wall time, and the CPU time (`tdur`) of the longest-running in CPU. */
export interface MainThreadTasks {
  readonly tasks: number;
  /** Tasks of 50 ms or more of wall time (what a long task is). */
  readonly longWall: number;
  /** Tasks of 50 ms or more of the thread's own CPU time: the page's work, not its waiting for a core. */
  readonly longCpu: number;
  readonly maxCpuMs: number;
}

/** Starts Chromium's tracing of top-level tasks (with thread CPU time); `stop` reads the renderers' main threads from it. */
export async function traceTasks(browser: Browser, page: Page): Promise<{ stop(): Promise<MainThreadTasks> }> {
  await browser.startTracing(page, { categories: ["toplevel"] });
  return {
    async stop() {
      const events = (JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] }).traceEvents;
      const main = new Set(events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`));
      // RunTask is the outermost event of each task (others nest inside it).
      const tasks = events.filter((e) => e.ph === "X" && e.name === "ThreadControllerImpl::RunTask" && main.has(`${e.pid}:${e.tid}`));
      return {
        tasks: tasks.length,
        longWall: tasks.filter((e) => (e.dur ?? 0) >= 50_000).length,
        longCpu: tasks.filter((e) => (e.tdur ?? 0) >= 50_000).length,
        maxCpuMs: Math.max(0, ...tasks.map((e) => (e.tdur ?? 0) / 1000)),
      };
    },
  };
}

import { ReplayFilter, type Cast } from "../core/index.js";

export interface PlayOptions {
  /** 2 plays twice as fast. */
  readonly speed: number;
  /** The longest pause between two events, in recorded seconds. */
  readonly maxIdleSec: number;
  readonly out?: NodeJS.WriteStream;
  readonly input?: NodeJS.ReadStream;
  readonly signal?: AbortSignal;
}

export interface PlayOutcome {
  /** `stopped`: Ctrl-C, q or a signal ended it early. */
  readonly how: "finished" | "stopped";
  /** How far it got, in recorded seconds. */
  readonly at: number;
}

/**
 * Plays a recording's output to the terminal, in time. It is the one place
 * that writes a recording's bytes to a terminal, and every byte goes through
 * `ReplayFilter` (core/replay-safe.ts): the program's own drawing is shown as
 * the pane showed it; titles, clipboard writes, queries and input modes are
 * not. On a terminal, stdin is put in raw mode (keys are not echoed over the
 * replay) and Ctrl-C or q stops it; whatever way it ends, the display state
 * the replay turned on is undone and raw mode is left.
 */
export async function play(cast: Cast, options: PlayOptions): Promise<PlayOutcome> {
  const out = options.out ?? process.stdout;
  const input = options.input ?? process.stdin;
  const filter = new ReplayFilter();
  const stop = new AbortController();
  const onStop = () => stop.abort();
  options.signal?.addEventListener("abort", onStop, { once: true });
  process.once("SIGINT", onStop);
  process.once("SIGTERM", onStop);
  const raw = input.isTTY === true;
  const onKey = (key: Buffer) => {
    if (key.includes(0x03) || key.includes(0x71)) onStop(); // Ctrl-C or q
  };
  if (raw) {
    input.setRawMode(true);
    input.on("data", onKey);
    input.resume();
  }
  let clock = 0;
  let at = 0;
  try {
    for (const [time, code, data] of cast.events) {
      if (stop.signal.aborted) break;
      const gap = Math.min(Math.max(0, time - clock), options.maxIdleSec);
      clock = time;
      if (gap > 0) await sleep((gap * 1000) / options.speed, stop.signal);
      if (stop.signal.aborted) break;
      at = time;
      if (code !== "o") continue;
      const safe = filter.push(data);
      if (safe && !out.write(safe)) await drained(out, stop.signal);
    }
  } finally {
    out.write(filter.restore());
    process.removeListener("SIGINT", onStop);
    process.removeListener("SIGTERM", onStop);
    options.signal?.removeEventListener("abort", onStop);
    if (raw) {
      input.removeListener("data", onKey);
      input.setRawMode(false);
      input.pause();
    }
  }
  return { how: stop.signal.aborted ? "stopped" : "finished", at };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

function drained(out: NodeJS.WriteStream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.removeListener("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    out.once("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

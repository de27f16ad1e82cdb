/** Two runners timed one after another, alternating, so that a drifting load skews both alike. */
import { performance } from "node:perf_hooks";
import { summarize, type Summary } from "./stats.js";

/** Sequential submit → result timings of two runners, in alternating blocks, after a warm-up of each. */
export async function alternating(warmup: number, n: number, block: number, a: () => Promise<void>, b: () => Promise<void>): Promise<[Summary, Summary]> {
  for (let i = 0; i < warmup; i++) await a();
  for (let i = 0; i < warmup; i++) await b();
  const samples: [number[], number[]] = [[], []];
  const timed = async (run: () => Promise<void>, into: number[], count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await run();
      into.push(performance.now() - t0);
    }
  };
  for (let done = 0; done < n; done += block) {
    const count = Math.min(block, n - done);
    // Alternate which goes first in each round.
    if ((done / block) % 2 === 0) {
      await timed(a, samples[0], count);
      await timed(b, samples[1], count);
    } else {
      await timed(b, samples[1], count);
      await timed(a, samples[0], count);
    }
  }
  return [summarize(samples[0]), summarize(samples[1])];
}

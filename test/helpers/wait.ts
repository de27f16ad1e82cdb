/** The tests' one poll-until: for state that gives no event to wait on (a ledger row, a pane, a file, a log line). */

export type Truthy<T> = Exclude<T, null | undefined | false | 0 | "">;

export interface WaitOptions {
  /** Default 20 s: long enough for a loaded 2-core machine; a test that needs more says why. */
  readonly timeoutMs?: number;
  /** Default 50 ms between probes; a probe that forks a process (the CLI, redis-cli) waits longer. */
  readonly everyMs?: number;
  /** Keep polling when the probe throws (e.g. Redis restarting), reporting the last error on time-out. Default: a throw ends the wait. */
  readonly retryErrors?: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a truthy value, and returns that value; throws naming `what` when `timeoutMs` has passed. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, options: WaitOptions = {}): Promise<Truthy<T>> {
  const { timeoutMs = 20_000, everyMs = 50, retryErrors = false } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as Truthy<T>;
    } catch (error) {
      if (!retryErrors) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`);
    await sleep(everyMs);
  }
}

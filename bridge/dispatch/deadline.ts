/**
 * The two ways a running job stops waiting for its program besides ending:
 * its time limit (counted from when it started, so an adopted job keeps the
 * time it has already used) and a cancel. Both runners race this against
 * their own "ended" signal; `dispose()` clears the timer.
 */
export interface Deadline {
  readonly reached: Promise<"timeout" | "cancelled">;
  dispose(): void;
}

export function jobDeadline(timeoutSec: number, startedAt: number, signal: AbortSignal): Deadline {
  const limitMs = Math.max(0, timeoutSec * 1000 - (Date.now() - startedAt));
  let timer: NodeJS.Timeout | undefined;
  const reached = new Promise<"timeout" | "cancelled">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), limitMs);
    if (signal.aborted) resolve("cancelled");
    signal.addEventListener("abort", () => resolve("cancelled"), { once: true });
  });
  return { reached, dispose: () => clearTimeout(timer) };
}

/**
 * One message to one target: a few attempts, each with its own time limit,
 * with exponential backoff between them; a permanent failure stops at once.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { NotifyMessage } from "./message.js";
import { NotifyFailure, type Sender } from "./sender.js";

export interface DeliveryPolicy {
  readonly attempts: number;
  /** The pause after the first failed attempt; doubled after each next one. */
  readonly backoffMs: number;
  /** One attempt's time limit. */
  readonly timeoutMs: number;
}

/** Three tries over about 3 s of pauses, 10 s each: a receiver restarting is waited for, a dead one is given up on within a minute. */
export const DEFAULT_DELIVERY: DeliveryPolicy = Object.freeze({ attempts: 3, backoffMs: 1000, timeoutMs: 10_000 });

export type Delivery = { readonly ok: true; readonly attempts: number } | { readonly ok: false; readonly attempts: number; readonly error: NotifyFailure };

/** Never rejects. `signal` (shutdown) ends the attempt under way and the pauses. */
export async function deliver(sender: Sender, message: NotifyMessage, policy: DeliveryPolicy, signal: AbortSignal): Promise<Delivery> {
  let error = new NotifyFailure("not tried", false);
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      await sender.send(message, AbortSignal.any([signal, AbortSignal.timeout(policy.timeoutMs)]));
      return { ok: true, attempts: attempt };
    } catch (caught) {
      error = caught instanceof NotifyFailure ? caught : new NotifyFailure(caught instanceof Error ? caught.message : String(caught), false);
      if (error.permanent || signal.aborted || attempt === policy.attempts) return { ok: false, attempts: attempt, error };
    }
    const stopped = await sleep(policy.backoffMs * 2 ** (attempt - 1), false, { signal }).catch(() => true); // aborted: stopping
    if (stopped) return { ok: false, attempts: attempt, error };
  }
  return { ok: false, attempts: policy.attempts, error };
}

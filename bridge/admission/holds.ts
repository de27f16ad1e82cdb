/**
 * The one way an agent's queue is held: while any reason holds it, its
 * worker takes no job (the jobs stay waiting, no attempt spent); when the
 * last reason is released, it takes jobs again. Each reason has its own end:
 * a time, or (with `until` null) an explicit release.
 */
import type { BridgeLog } from "../log-events.js";

export type HoldReason =
  /** Its circuit breaker is open (breakers.ts). */
  | "breaker-open"
  /** Its program is rate limited (parking.ts). */
  | "parked"
  /** Every replica is in a crash loop (supervision/restarts.ts). */
  | "crash-loop"
  /** It spent its budget for the period (budgets.ts): until the period ends or an answer lets it go. */
  | "budget"
  /** A person has taken over a session (a web terminal); reserved, nothing holds for it yet. */
  | "taken-over";

/** Reasons that also stop a job taken just before the hold: it waits (Holds.wait) instead of hitting the limit again. */
const STOPS_TAKEN_JOBS: ReadonlySet<HoldReason> = new Set(["parked", "taken-over"]);

/**
 * What is held. Today an agent's queue as this bridge takes from it; when
 * bridges on several hosts share a queue, a `host` goes here and the valve
 * closes only that host's worker.
 */
export interface HoldScope {
  readonly agent: string;
}

/** Stops and restarts the taking of jobs for a scope (intake's workers). */
export interface Valve {
  close(scope: HoldScope): Promise<void>;
  open(scope: HoldScope): Promise<void>;
}

interface Entry {
  readonly until: number | null;
  readonly timer: NodeJS.Timeout | null;
}

interface Held {
  readonly scope: HoldScope;
  readonly reasons: Map<HoldReason, Entry>;
  readonly waiters: Set<() => void>;
}

export class Holds {
  private readonly held = new Map<string, Held>();
  private readonly onReleased = new Map<HoldReason, (scope: HoldScope) => Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly deps: { readonly valve: Valve; readonly log: BridgeLog; readonly now?: () => number }) {
    this.now = deps.now ?? Date.now;
  }

  /** What the owner of a reason does when its hold ends (on time or released): one listener per reason. */
  whenReleased(reason: HoldReason, listener: (scope: HoldScope) => Promise<void>): void {
    this.onReleased.set(reason, listener);
  }

  /** Why the scope is held (empty: it is not). */
  reasons(scope: HoldScope): HoldReason[] {
    return [...(this.held.get(keyOf(scope))?.reasons.keys() ?? [])];
  }

  /**
   * Holds the scope for `reason` until `until` (ms since epoch; null: until
   * released). A later time extends a hold, an earlier one does not shorten
   * it. Returns whether the hold is new or extended.
   */
  async hold(scope: HoldScope, reason: HoldReason, until: number | null): Promise<boolean> {
    if (until !== null && until <= this.now()) return false;
    const key = keyOf(scope);
    // Kept when its last reason ends (one per agent): jobs waiting on it stay with it.
    const held = this.held.get(key) ?? { scope, reasons: new Map(), waiters: new Set() };
    const existing = held.reasons.get(reason);
    if (existing && (existing.until === null || (until !== null && existing.until >= until))) return false;
    if (existing?.timer) clearTimeout(existing.timer);
    const first = held.reasons.size === 0;
    const entry: Entry = { until, timer: until === null ? null : setTimeout(() => void this.expire(scope, reason, entry), until - this.now()) };
    held.reasons.set(reason, entry);
    this.held.set(key, held);
    this.deps.log("agent.held", { ...scope, reason, until: until === null ? null : new Date(until).toISOString() });
    if (first) await this.deps.valve.close(scope).catch((error) => this.deps.log("agent.hold-failed", { ...scope, reason, error }));
    return true;
  }

  async release(scope: HoldScope, reason: HoldReason): Promise<void> {
    const held = this.held.get(keyOf(scope));
    const entry = held?.reasons.get(reason);
    if (held && entry) await this.end(held, reason, entry);
  }

  /** Resolves once no reason that stops taken jobs holds the scope (see STOPS_TAKEN_JOBS). */
  wait(scope: HoldScope, signal?: AbortSignal): Promise<void> {
    const held = this.held.get(keyOf(scope));
    if (!held || !stopsTaken(held)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const done = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        held.waiters.delete(done);
        reject(signal?.reason);
      };
      held.waiters.add(done);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  close(): void {
    for (const held of this.held.values()) for (const entry of held.reasons.values()) if (entry.timer) clearTimeout(entry.timer);
    this.held.clear();
  }

  private async expire(scope: HoldScope, reason: HoldReason, entry: Entry): Promise<void> {
    const held = this.held.get(keyOf(scope));
    if (held?.reasons.get(reason) === entry) await this.end(held, reason, entry);
  }

  private async end(held: Held, reason: HoldReason, entry: Entry): Promise<void> {
    if (entry.timer) clearTimeout(entry.timer);
    held.reasons.delete(reason);
    this.deps.log("agent.hold-released", { ...held.scope, reason });
    const failed = (error: unknown) => this.deps.log("agent.hold-failed", { ...held.scope, reason, error });
    await this.onReleased.get(reason)?.(held.scope).catch(failed);
    // Checked after the listener: another reason may have come meanwhile. Check and call stay together, so the
    // valve's calls come in the order of the holds' changes.
    if (held.reasons.size === 0) await this.deps.valve.open(held.scope).catch(failed);
    if (!stopsTaken(held)) for (const wake of [...held.waiters]) held.waiters.delete(wake), wake();
  }
}

function keyOf(scope: HoldScope): string {
  return scope.agent;
}

function stopsTaken(held: Held): boolean {
  return [...held.reasons.keys()].some((reason) => STOPS_TAKEN_JOBS.has(reason));
}

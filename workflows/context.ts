import { setTimeout as delay } from "node:timers/promises";
import type { InboxPort } from "./inbox-items.js";
import type { StepRunner } from "./runner.js";
import type { ExecutionStore, Mutation } from "./store.js";
import type { ExecutionState } from "./types.js";

export type Emit = (type: string, data: Record<string, unknown>) => void;

export interface EngineOptions {
  readonly store: ExecutionStore;
  readonly runner: StepRunner;
  readonly emit?: Emit;
  /** Wait before attempt `attempt + 1`; default 1 s × 2^(attempt-1). */
  readonly backoffMs?: (attempt: number) => number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Milliseconds since the epoch; timestamps and retry times come from it. */
  readonly now?: () => number;
  /** How often a waiting execution re-reads its state, to see approvals and cancels made by other processes. */
  readonly pollMs?: number;
  /** How long past a step's `timeout` the engine waits for the runner's own verdict before calling it a timeout. */
  readonly timeoutGraceMs?: number;
  /** Where approval and input steps ask their questions; absent: they wait without an inbox item. */
  readonly inbox?: InboxPort;
  /** When an item escalates unless its step says (swarm.yaml `inbox.escalate_after`); null: never. */
  readonly escalateAfterMs?: number | null;
}

export interface EngineDeps {
  readonly store: ExecutionStore;
  readonly runner: StepRunner;
  readonly backoffMs: (attempt: number) => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly now: () => number;
  readonly pollMs: number;
  readonly timeoutGraceMs: number;
  readonly inbox: InboxPort | null;
  readonly escalateAfterMs: number | null;
  emit(type: string, data: Record<string, unknown>): void;
  at(): string;
  /** store.update that also stamps updatedAt. */
  update(id: string, mutate: (state: ExecutionState) => void): Promise<ExecutionState>;
}

export function defaultBackoffMs(attempt: number): number {
  return 1000 * 2 ** Math.max(0, attempt - 1);
}

async function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => undefined); // aborted: resolve early, as documented
}

export function engineDeps(options: EngineOptions): EngineDeps {
  const now = options.now ?? Date.now;
  const emit = options.emit;
  const at = (): string => new Date(now()).toISOString();
  return {
    store: options.store,
    runner: options.runner,
    backoffMs: options.backoffMs ?? defaultBackoffMs,
    sleep: options.sleep ?? defaultSleep,
    now,
    pollMs: options.pollMs ?? 1000,
    timeoutGraceMs: options.timeoutGraceMs ?? 30_000,
    inbox: options.inbox ?? null,
    escalateAfterMs: options.escalateAfterMs ?? null,
    at,
    emit(type, data) {
      try {
        emit?.(type, data);
      } catch {
        // A listener's bug must not stop an execution; the state in the store is the record.
      }
    },
    update(id, mutate) {
      const stamped: Mutation = (state) => {
        mutate(state);
        state.updatedAt = at();
      };
      return options.store.update(id, stamped);
    },
  };
}

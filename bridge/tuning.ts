import type { WorkerOptions } from "bullmq";
import { UsageError } from "../core/index.js";

/**
 * BullMQ settings. The defaults (30 s lock, 30 s stalled check, 1 stall
 * allowed) make a killed bridge's job wait a minute and fail for good on a
 * second kill (measured with bullmq 6.7: a worker killed twice on the same
 * job failed it, "job stalled more than allowable limit", with retries left,
 * as maxStalledCount defaults to 1). A shorter lock brings a re-delivery within
 * seconds; re-delivery is safe because the Dispatcher is idempotent by task id.
 */
export interface BridgeTuning {
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  /** This many session deaths within crashWindowMs mark the session failed. */
  crashLimit: number;
  crashWindowMs: number;
  /** How often a failed session is tried again. */
  failedProbeMs: number;
  /** How long a rate-limited agent's queue is parked when its program did not say when the limit lifts. */
  rateLimitParkMs: number;
  /** An interactive program's hook file is cut back to its last event, between tasks, once it holds this much. */
  hookFileMaxBytes: number;
  /** A task whose run was lost this many times (its pane or the bridge died each time) is failed, not started again. */
  maxDispatches: number;
  /** How often each live session's pane process is checked and its heartbeatAt written. */
  sessionHeartbeatMs: number;
  /** This many of an agent's jobs failing in a row for infrastructure reasons open its circuit breaker (breaker.ts). */
  breakerThreshold: number;
  /** How long an open breaker holds the agent's queue before one probe job; doubled each time the probe fails… */
  breakerOpenMs: number;
  /** …up to this. */
  breakerMaxOpenMs: number;
}

export const DEFAULT_TUNING: BridgeTuning = {
  lockDurationMs: 10_000,
  stalledIntervalMs: 5_000,
  maxStalledCount: 20,
  crashLimit: 5,
  crashWindowMs: 5 * 60_000,
  failedProbeMs: 60_000,
  rateLimitParkMs: 60_000,
  hookFileMaxBytes: 1024 * 1024,
  maxDispatches: 4,
  sessionHeartbeatMs: 15_000,
  breakerThreshold: 3,
  breakerOpenMs: 30_000,
  breakerMaxOpenMs: 5 * 60_000,
};

/**
 * `CLAUDE_AGENT_TUNING='{"failedProbeMs":2000}'` overrides settings (used by
 * the fault tests to see slow mechanisms in seconds). Unknown keys are an error.
 */
export function tuningFromEnv(raw: string | undefined): Partial<BridgeTuning> {
  if (!raw) return {};
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new UsageError(`CLAUDE_AGENT_TUNING: expected a JSON object, got ${JSON.stringify(raw)}`);
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (!(key in DEFAULT_TUNING))
      throw new UsageError(`CLAUDE_AGENT_TUNING: unknown setting "${key}"`, { hint: `Settings: ${Object.keys(DEFAULT_TUNING).join(", ")}.` });
    if (typeof value !== "number" || !(value > 0))
      throw new UsageError(`CLAUDE_AGENT_TUNING: ${key}: expected a positive number, got ${JSON.stringify(value)}`);
  }
  return parsed as Partial<BridgeTuning>;
}

export function workerOptions(concurrency: number, tuning: Partial<BridgeTuning> = {}): Omit<WorkerOptions, "connection"> {
  const t = { ...DEFAULT_TUNING, ...tuning };
  return {
    concurrency,
    lockDuration: t.lockDurationMs,
    stalledInterval: t.stalledIntervalMs,
    maxStalledCount: t.maxStalledCount,
    drainDelay: 5,
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 5000 },
  };
}

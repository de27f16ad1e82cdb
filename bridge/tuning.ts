import type { WorkerOptions } from "bullmq";

/**
 * BullMQ settings. The defaults (30 s lock, 30 s stalled check, 1 stall
 * allowed) make a killed bridge's job wait a minute and fail for good on a
 * second kill (FIELD-NOTES). A shorter lock brings a re-delivery within
 * seconds; re-delivery is safe because the JobRunner is idempotent by task id.
 */
export interface BridgeTuning {
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
}

export const DEFAULT_TUNING: BridgeTuning = {
  lockDurationMs: 10_000,
  stalledIntervalMs: 5_000,
  maxStalledCount: 20,
};

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

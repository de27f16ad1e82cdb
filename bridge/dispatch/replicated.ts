import { setTimeout as sleep } from "node:timers/promises";
import { NotReplicatedError, type Acknowledger, type Ledger } from "../../core/index.js";
import type { BridgeLog } from "../log-events.js";
import { Cancelled } from "./dispatcher.js";

/** How often a task whose record no replica confirmed yet is asked about again. */
const RETRY_MS = 1000;

/**
 * `redis.acknowledge`: a task is dispatched only once `replicas` replicas hold its record (WAIT, through the
 * same Acknowledger a submit uses), so what runs is what a failover keeps.
 *
 * Why the bridge asks too, not only the submit: a submit refused with NotReplicatedError has already put the
 * task on the primary, and its job can run at once. If that primary is then demoted before a replica has the
 * record (Sentinel retried a stalled failover and promoted the other replica: seen in 2 of about 25 runs of
 * test/hosts/sentinel.test.ts on a loaded machine), the record and its idempotency key are gone, the client's
 * retry with the same key creates the task anew, and its command ran twice. Held here, it runs once: either a
 * replica confirms it (and the retry finds it), or it is lost with the primary before it ran.
 *
 * Resolves true once confirmed; false when the record is no longer there (lost in a failover: nothing to run).
 * Rejects with the signal's reason when the task is cancelled while it waits.
 */
export function replicatedBeforeDispatch(acknowledger: Acknowledger, ledger: Ledger, log: BridgeLog) {
  return async (taskId: string, signal: AbortSignal): Promise<boolean> => {
    let told = false;
    for (;;) {
      try {
        await acknowledger.confirm(taskId);
        if (told) log("job.replicated", { taskId });
        return true;
      } catch (error) {
        if (!(error instanceof NotReplicatedError)) throw error;
        if ((await ledger.get(taskId)) === null) return false;
        if (!told) log("job.not-replicated", { taskId, error });
        told = true;
        // A cancel ends the wait with the signal's reason (Cancelled), which the dispatcher records.
        await sleep(RETRY_MS, undefined, { signal }).catch((failed: unknown) => {
          throw signal.aborted ? (signal.reason ?? new Cancelled("cancelled")) : failed;
        });
      }
    }
  };
}

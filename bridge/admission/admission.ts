import type { TaskRecord } from "../../core/index.js";
import type { AgentSessions } from "../sessions/index.js";
import type { Admission as BreakerAdmission } from "./breaker.js";
import type { Breakers } from "./breakers.js";
import type { Budgets } from "./budgets.js";
import type { HoldReason, Holds } from "./holds.js";
import type { Parking } from "./parking.js";
import type { PolicyHolds } from "./policy-holds.js";

/** What becomes of one job the agent's worker took. */
export type Decision =
  /** Run it, under the agent's breaker (`breaker.probe`: it is the half-open probe). */
  | { readonly kind: "run"; readonly taskId: string; readonly breaker: BreakerAdmission & { readonly allowed: true } }
  /** Put it back to waiting, no attempt spent: the agent's queue is held (and its worker paused) for `reason`. */
  | { readonly kind: "hold"; readonly reason: HoldReason }
  /** Drop it: it can never run. */
  | { readonly kind: "refuse"; readonly why: string };

/** A job run under its agent's breaker. */
export interface AdmittedJob {
  readonly run: () => Promise<void>;
  /** The job's task as the ledger has it, or null when it must not be judged (the bridge is closing). */
  readonly read: () => Promise<TaskRecord | null>;
}

/**
 * One decision per job: run, hold or refuse. Whatever holds an agent (an open
 * breaker, a rate-limit parking, a crash loop of every replica) holds it the
 * same way (holds.ts); a job its worker took just before the hold goes back.
 */
export class AdmissionControl {
  constructor(
    private readonly deps: {
      readonly holds: Holds;
      readonly breakers: Breakers;
      readonly parking: Parking;
      readonly budgets: Budgets;
      readonly asks: PolicyHolds;
      readonly sessions: AgentSessions;
    },
  ) {}

  async decide(agent: string, taskId: unknown): Promise<Decision> {
    if (typeof taskId !== "string") return { kind: "refuse", why: "its data names no task" };
    const held = this.deps.holds.reasons({ agent });
    if (held.length > 0) return { kind: "hold", reason: held[0]! };
    // Every replica in a crash loop: its jobs wait in the queue until one comes back, rather than being taken and stuck.
    if (this.deps.sessions.allFailed(agent)) {
      await this.crashLoop(agent);
      return { kind: "hold", reason: "crash-loop" };
    }
    // Before the breaker, which would keep a half-open probe waiting for a job the budget then holds.
    const budget = await this.deps.budgets.admit(agent);
    if (!budget.allowed) return { kind: "hold", reason: "budget" };
    const breaker = await this.deps.breakers.admit(agent);
    if (breaker.allowed) return { kind: "run", taskId, breaker };
    await budget.refund();
    return { kind: "hold", reason: "breaker-open" };
  }

  /** Runs an admitted job and counts its outcome against the agent's breaker (Breakers.guard); its error is thrown on. */
  run(agent: string, decision: Decision & { kind: "run" }, job: AdmittedJob): Promise<void> {
    return this.deps.breakers.guard(agent, decision.breaker, {
      ...job,
      // A dead session is crash handling's business: it restarts it and marks a crash loop failed.
      excused: (record) => {
        const session = record.session ? this.deps.sessions.get(record.session) : undefined;
        return session !== undefined && !["idle", "busy"].includes(session.state);
      },
    });
  }

  /**
   * Holds the agent's queue while every replica is in a crash loop, and lets
   * it go once one is back; called on every change of a session's crash state.
   */
  async crashLoop(agent: string): Promise<void> {
    if (this.deps.sessions.allFailed(agent)) await this.deps.holds.hold({ agent }, "crash-loop", null);
    else await this.deps.holds.release({ agent }, "crash-loop");
  }

  /** Holds a previous bridge left (a parking, an open breaker, a spent budget, a task asked about) hold on: call before the workers start. */
  async restore(agents: readonly string[]): Promise<void> {
    await this.deps.parking.restore(agents);
    await this.deps.breakers.restore(agents);
    await this.deps.budgets.start();
    await this.deps.asks.start();
  }

  /** Stops the holds' timers (a hold kept in Redis is restored by the next bridge). */
  close(): void {
    this.deps.budgets.close();
    this.deps.asks.close();
    this.deps.holds.close();
  }
}

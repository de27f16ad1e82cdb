import type { EngineDeps } from "./context.js";
import { type StepOutcome, succeeded } from "./runner.js";
import { reasonOf } from "./step-call.js";
import { judge } from "./schema-fix.js";
import { chargeRun } from "./run-budget.js";
import { completeStep, failStep, newRun } from "./transitions.js";
import type { ExecutionState, StepState, TaskStep } from "./types.js";

/** `fixing`: the output failed the step's schema and a follow-up prompt is due. */
export type Decision = "completed" | "failed" | "retry" | "cancelled" | "fixing" | "next" | "stale";

/**
 * What a running task step's stored record becomes after each event (a task,
 * follow-up or gate outcome, a cancel, the end of a backoff), and the name of
 * that decision. Each method changes the record in place, inside the store's
 * update, and does no I/O.
 */
export class StepDecisions {
  /** The backoff just decided; a driver that resumes a step computes it from `retryAt`. */
  nextDelay: number | null = null;

  constructor(
    private readonly deps: Pick<EngineDeps, "at" | "now" | "backoffMs">,
    private readonly stepId: string,
  ) {}

  complete(s: ExecutionState): Decision {
    completeStep(s, this.stepId, this.deps.at());
    return "completed";
  }

  fail(s: ExecutionState, reason: string): Decision {
    failStep(s, this.stepId, reason, this.deps.at());
    return "failed";
  }

  cancelled(st: StepState): Decision {
    Object.assign(st, { status: "cancelled", reason: "cancelled", finishedAt: this.deps.at(), retryAt: null });
    if (st.gate?.status === "running") Object.assign(st.gate, { status: "cancelled", finishedAt: this.deps.at() });
    return "cancelled";
  }

  /** The backoff is over: attempt `next` starts with a clean record. */
  nextAttempt(cur: StepState, next: number): Decision {
    Object.assign(cur, {
      attempts: next,
      retryAt: null,
      reason: null,
      gate: null,
      fix: null,
      fixes: 0,
      schemaErrors: null,
      json: null,
      attemptStartedAt: this.deps.at(),
    });
    return "next";
  }

  afterTask(s: ExecutionState, cur: StepState, step: TaskStep, outcome: StepOutcome): Decision {
    chargeRun(s, outcome);
    const { exitCode, output } = outcome;
    Object.assign(cur, { exitCode, output, taskId: outcome.taskId || cur.taskId, agent: outcome.agent ?? cur.agent });
    // A task cancelled by someone else (`claude-agent cancel`) is final: retrying would defy them.
    if (outcome.status === "cancelled") return this.fail(s, "its task was cancelled");
    if (!succeeded(outcome)) return this.failAttempt(s, cur, step, reasonOf(outcome, "task"));
    return this.accepted(s, cur, step);
  }

  afterFix(s: ExecutionState, cur: StepState, step: TaskStep, outcome: StepOutcome): Decision {
    chargeRun(s, outcome);
    const { exitCode, output } = outcome;
    const status = succeeded(outcome) ? "completed" : outcome.status === "completed" ? "failed" : outcome.status;
    cur.fix = { ...(cur.fix ?? newRun(this.deps.at())), status, exitCode, output, taskId: outcome.taskId || null, finishedAt: this.deps.at() };
    Object.assign(cur, { exitCode, output });
    if (outcome.status === "cancelled") return this.fail(s, "its follow-up task was cancelled");
    if (!succeeded(outcome)) return this.failAttempt(s, cur, step, reasonOf(outcome, "follow-up"));
    return this.accepted(s, cur, step);
  }

  /** `command`: the gate as run, named in the reason when it fails. */
  afterGate(s: ExecutionState, cur: StepState, step: TaskStep, outcome: StepOutcome, command: string): Decision {
    chargeRun(s, outcome);
    const passed = succeeded(outcome, true);
    const { exitCode, output } = outcome;
    const status = passed || outcome.status !== "completed" ? outcome.status : "failed";
    const taskId = outcome.taskId || null;
    cur.gate = { ...(cur.gate ?? newRun(this.deps.at())), status, exitCode, output, taskId, finishedAt: this.deps.at() };
    if (passed) return this.complete(s);
    Object.assign(cur, { output, exitCode });
    return this.failAttempt(s, cur, step, reasonOf(outcome, `gate "${command}"`));
  }

  /** A failed attempt: a retry is due later, or the step has failed for good (and its policy applies). */
  private failAttempt(s: ExecutionState, st: StepState, step: TaskStep, reason: string): Decision {
    if (st.attempts <= step.retries) {
      this.nextDelay = this.deps.backoffMs(st.attempts);
      Object.assign(st, { reason, retryAt: new Date(this.deps.now() + this.nextDelay).toISOString() });
      return "retry";
    }
    return this.fail(s, st.attempts > 1 ? `${reason} after ${st.attempts} attempts` : reason);
  }

  /**
   * A run of the task (or a follow-up) succeeded: its output must pass the step's schema, if it
   * has one. Then the gate, or done; otherwise a follow-up with the errors while `schema_retries`
   * allow, then the attempt fails.
   */
  private accepted(s: ExecutionState, cur: StepState, step: TaskStep): Decision {
    const verdict = judge(step, cur.output);
    if (verdict !== null) {
      Object.assign(cur, { json: verdict.json, schemaErrors: verdict.errors });
      if (verdict.errors !== null) {
        if (cur.fixes < step.schemaRetries) {
          cur.fixes += 1;
          cur.fix = newRun(this.deps.at());
          return "fixing";
        }
        const tries = cur.fixes > 0 ? ` after ${cur.fixes} follow-up${cur.fixes > 1 ? "s" : ""}` : "";
        return this.failAttempt(s, cur, step, `output does not match output_schema${tries}: ${verdict.errors.split("\n").join("; ")}`);
      }
    }
    if (step.gate === undefined) return this.complete(s);
    cur.gate = newRun(this.deps.at());
    return "next";
  }
}

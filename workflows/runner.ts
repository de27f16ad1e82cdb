/**
 * The engine's one seam to the swarm: something that runs a task on an agent
 * and reports how it ended. The supervisor glue implements it over the queues;
 * tests implement it with a script (see test-support/scripted-runner.ts).
 */

/** `fix`: a follow-up prompt with the errors of an output that failed its output_schema. */
export type RunKind = "step" | "gate" | "rollback" | "fix";

/**
 * How a task's `{{…}}` templates are rendered for the agent that runs it: `shell`, as
 * references to environment variables that carry the values (shell-render.ts); `text`,
 * as the values themselves (a coding agent's prompt).
 */
export type RenderMode = "shell" | "text";

/** Where a step's target (agent or route) goes, and how its templates render there. */
export interface Resolved {
  readonly agent?: string;
  readonly mode: RenderMode;
}

export interface StepRequest {
  executionId: string;
  stepId: string;
  attempt: number;
  agent?: string;
  route?: string;
  /** `needs:` of the step: labels the agent must have. */
  needs?: readonly string[];
  task: string;
  /** The variables a shell step's references read (CA_PARAM_*, CA_STEP_*); absent for text rendering. */
  env?: Readonly<Record<string, string>>;
  timeoutSec?: number;
  /**
   * `wf:<executionId>:<stepId>:<kind>:<attempt>`. A resumed engine asks again with the
   * same key, and the swarm must answer with the task it already has for that key
   * (re-adopting it) instead of starting a second one.
   */
  idempotencyKey: string;
  kind: RunKind;
  /** Optional: call it as soon as the task has an id, so the id is recorded while it runs. */
  onTaskId?: (taskId: string) => void;
}

export interface StepOutcome {
  status: "completed" | "failed" | "timeout" | "cancelled";
  exitCode: number | null;
  output: string;
  taskId: string;
  /** The agent that ran it, when known; a step's gate then runs on that same agent. */
  agent?: string;
  /** Why it did not complete, when there is more to say than an exit code (a refused task, a runner error). */
  reason?: string;
  /** What the task's program reported it cost (a run's `budget:` counts them). */
  costUsd?: number;
  tokens?: number;
}

export interface StepRunner {
  /**
   * Aborting `signal` means: cancel the task, the engine no longer wants it; unless
   * `isDetached(signal)`, which means: stop waiting, the task keeps running.
   */
  run(req: StepRequest, signal: AbortSignal): Promise<StepOutcome>;
  /** Cancels a task the engine knows only by id (one started by an engine that is gone). */
  cancel?(taskId: string): Promise<void>;
  /**
   * Which agent a target runs on and how to render for it, known before the task is
   * submitted. Without it every task renders for a shell (the safe default: a prompt
   * then shows references instead of values, but no value can become code).
   */
  resolve?(target: { readonly agent?: string; readonly route?: string; readonly needs?: readonly string[] }): Resolved;
}

/**
 * The reason an engine that is shutting down aborts its runs with: stop waiting for
 * the task, but leave it running in the swarm and its step as it is, to be resumed.
 */
export class Detached extends Error {
  constructor() {
    super("the engine detached; the task keeps running");
    this.name = "Detached";
  }
}

/** The signal aborted because the engine detached (graceful shutdown), not to cancel. */
export function isDetached(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof Detached;
}

/** `fix` runs add their number (`fix2`): an attempt may send several. */
export function idempotencyKey(executionId: string, stepId: string, kind: RunKind, attempt: number, fix = 0): string {
  return `wf:${executionId}:${stepId}:${kind === "fix" ? `fix${fix}` : kind}:${attempt}`;
}

/** A step's task succeeded; a gate must exit 0 exactly. */
export function succeeded(outcome: StepOutcome, strict = false): boolean {
  if (outcome.status !== "completed") return false;
  return strict ? outcome.exitCode === 0 : outcome.exitCode === null || outcome.exitCode === 0;
}

/**
 * How long the engine still waits for a run that started at `since` before it calls it a
 * timeout: the step's limit plus a grace period (the runner enforces the limit itself and
 * should answer first). A run re-adopted after a long restart still gets the grace period,
 * since its result is probably waiting for it.
 */
export function watchdogMs(timeoutSec: number | undefined, since: string | null, graceMs: number, now: number): number | null {
  if (timeoutSec === undefined) return null;
  const started = since === null ? now : Date.parse(since);
  return Math.max(started + timeoutSec * 1000 + graceMs - now, graceMs);
}

export interface CallResult {
  readonly outcome: StepOutcome;
  /** The caller's signal aborted (cancel or halt), as opposed to the task failing on its own. */
  readonly aborted: boolean;
}

/**
 * Runs one request with a watchdog: if the runner has not answered `deadlineMs` from
 * now, the attempt counts as a timeout and the runner's signal is aborted. The engine
 * stops waiting the moment either signal fires, even if the runner never settles,
 * so a runner that ignores its signal cannot hold an execution forever.
 */
export async function callRunner(runner: StepRunner, req: StepRequest, signal: AbortSignal, deadlineMs: number | null): Promise<CallResult> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  let timedOut = false;
  const timer =
    deadlineMs === null
      ? null
      : setTimeout(
          () => {
            timedOut = true;
            controller.abort(new Error("watchdog"));
          },
          Math.max(0, deadlineMs),
        );
  const stopped = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  stopped.catch(() => undefined); // raced below; not unhandled when the run ends first
  const failed = (status: StepOutcome["status"], output: string): StepOutcome => ({
    status,
    exitCode: null,
    output,
    taskId: "",
    reason: output,
  });
  try {
    if (signal.aborted) return { outcome: failed("cancelled", "cancelled before it started"), aborted: true };
    const running = runner.run(req, controller.signal);
    running.catch(() => undefined); // raced below; not unhandled when the stop wins
    const outcome = await Promise.race([running, stopped]);
    return { outcome, aborted: signal.aborted };
  } catch (error) {
    if (signal.aborted) return { outcome: failed("cancelled", "cancelled"), aborted: true };
    if (timedOut) {
      const limit = req.timeoutSec === undefined ? "" : ` (time limit ${req.timeoutSec}s)`;
      return { outcome: failed("timeout", `no result from the runner in time${limit}`), aborted: false };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { outcome: failed("failed", `runner error: ${message}`), aborted: false };
  } finally {
    if (timer !== null) clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
}

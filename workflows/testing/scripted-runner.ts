import type { RenderMode, Resolved, RunKind, StepOutcome, StepRequest, StepRunner } from "../runner.js";

/**
 * A StepRunner for tests that plays a script: per step and kind, a queue of
 * replies (the last one repeats), each after a real delay. It records every
 * call with its timing, and like the swarm it answers a repeated idempotency
 * key with the task id it gave the first time.
 */
export interface Reply {
  readonly status?: StepOutcome["status"];
  readonly exitCode?: number | null;
  /** Defaults to the request's task text, so tests can read what templates rendered. */
  readonly output?: string;
  readonly agent?: string;
  readonly delayMs?: number;
  /** Never answer on its own; only an abort ends it (with "cancelled"), unless `deaf`. */
  readonly hang?: boolean;
  /** With hang: ignore the abort too, like a runner that is stuck for good. */
  readonly deaf?: boolean;
  /** What the task reports it cost (a run's budget counts it). */
  readonly costUsd?: number;
  readonly tokens?: number;
}

export interface Call {
  readonly req: StepRequest;
  readonly taskId: string;
  readonly startedAt: number;
  endedAt: number | null;
  outcome: StepOutcome | null;
  aborted: boolean;
}

export class ScriptedRunner implements StepRunner {
  readonly calls: Call[] = [];
  readonly cancelled: string[] = [];
  private readonly scripts = new Map<string, Reply[]>();
  private readonly taskIds = new Map<string, string>();
  private listeners: Array<() => boolean> = [];

  /** `mode`: how the engine renders tasks for this runner's agents (text: values inline, as a coding agent's prompt). */
  constructor(private readonly mode: RenderMode = "text") {}

  resolve(target: { readonly agent?: string; readonly route?: string }): Resolved {
    return { ...(target.agent !== undefined && { agent: target.agent }), mode: this.mode };
  }

  /** Script the replies for `stepId` (and kind); later calls reuse the last reply. */
  on(stepId: string, kind: RunKind, ...replies: Reply[]): this {
    this.scripts.set(`${stepId}:${kind}`, replies);
    return this;
  }

  /** Calls for a step, in order, optionally of one kind only. */
  callsOf(stepId: string, kind?: RunKind): Call[] {
    return this.calls.filter((c) => c.req.stepId === stepId && (kind === undefined || c.req.kind === kind));
  }

  /** Step ids in the order their calls started. */
  order(kind: RunKind = "step"): string[] {
    return this.calls.filter((c) => c.req.kind === kind).map((c) => c.req.stepId);
  }

  /** Resolves once some call matches (already made or yet to come). */
  waitFor(match: (call: Call) => boolean, timeoutMs = 5000): Promise<Call> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("ScriptedRunner.waitFor: no matching call")), timeoutMs);
      const check = (): boolean => {
        const found = this.calls.find(match);
        if (found === undefined) return false;
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      if (!check()) this.listeners.push(check);
    });
  }

  async cancel(taskId: string): Promise<void> {
    this.cancelled.push(taskId);
  }

  run(req: StepRequest, signal: AbortSignal): Promise<StepOutcome> {
    const script = this.scripts.get(`${req.stepId}:${req.kind}`) ?? [];
    const index = this.calls.filter((c) => c.req.stepId === req.stepId && c.req.kind === req.kind).length;
    const reply: Reply = script[Math.min(index, script.length - 1)] ?? {};
    const taskId = this.taskIds.get(req.idempotencyKey) ?? `task-${this.taskIds.size + 1}`;
    this.taskIds.set(req.idempotencyKey, taskId);
    const call: Call = { req, taskId, startedAt: performance.now(), endedAt: null, outcome: null, aborted: false };
    this.calls.push(call);
    req.onTaskId?.(taskId);
    this.listeners = this.listeners.filter((stillWaiting) => !stillWaiting());

    const outcome: StepOutcome = {
      status: reply.status ?? "completed",
      exitCode: reply.exitCode !== undefined ? reply.exitCode : (reply.status ?? "completed") === "completed" ? 0 : 1,
      output: reply.output ?? req.task,
      taskId,
      ...(reply.agent !== undefined && { agent: reply.agent }),
      ...(reply.costUsd !== undefined && { costUsd: reply.costUsd }),
      ...(reply.tokens !== undefined && { tokens: reply.tokens }),
    };
    return new Promise<StepOutcome>((resolve) => {
      const finish = (result: StepOutcome): void => {
        clearTimeout(timer);
        call.endedAt = performance.now();
        call.outcome = result;
        resolve(result);
      };
      const timer = reply.hang ? undefined : setTimeout(() => finish(outcome), reply.delayMs ?? 0);
      if (reply.deaf) return;
      signal.addEventListener(
        "abort",
        () => {
          call.aborted = true;
          finish({ status: "cancelled", exitCode: null, output: "cancelled", taskId });
        },
        { once: true },
      );
    });
  }
}

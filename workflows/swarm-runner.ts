import type { TaskResult } from "../core/index.js";
import type { SwarmClient } from "../client/index.js";
import { routeTask } from "../supervisor/index.js";
import { isDetached, type Resolved, type StepOutcome, type StepRequest, type StepRunner } from "./runner.js";

/**
 * The engine's runner over the swarm: each run is a task submitted through the
 * supervisor's client with the request's idempotency key, so a resumed engine
 * asking again gets the task it already has (re-adopted, not started twice).
 */
export class SwarmStepRunner implements StepRunner {
  constructor(private readonly client: SwarmClient) {}

  async run(req: StepRequest, signal: AbortSignal): Promise<StepOutcome> {
    const submitted = await this.client.submit({
      task: req.task,
      ...(req.env !== undefined && { env: req.env }),
      ...this.target(req),
      ...(req.needs !== undefined && req.needs.length > 0 && { needs: req.needs }),
      ...(req.timeoutSec !== undefined && { timeout: req.timeoutSec }),
      idempotencyKey: req.idempotencyKey,
      origin: { actor: `workflow:${req.executionId}`, via: "workflow" },
    });
    req.onTaskId?.(submitted.id);
    const onAbort = (): void => {
      // Detached means shutdown: the task keeps running and the next engine re-adopts it. A failed cancel leaves it
      // running to its end, the step over either way.
      if (!isDetached(signal)) void this.client.cancel(submitted.id).catch(() => undefined);
    };
    if (signal.aborted) {
      onAbort();
      throw signal.reason;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      return outcomeOf(await this.client.result(submitted.id, { wait: true, signal }));
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  async cancel(taskId: string): Promise<void> {
    await this.client.cancel(taskId, { actor: "workflow", via: "workflow" });
  }

  /**
   * The agent a step's target runs on (a route goes through the keyword router now, so that
   * the task is rendered for the agent that will run it) and how to render for it: a shell
   * agent's tasks get references to variables, an agent program's its prompt as text. An
   * agent this swarm does not know renders as shell, which is safe either way.
   */
  resolve(target: { readonly agent?: string; readonly route?: string; readonly needs?: readonly string[] }): Resolved {
    const agent = this.target(target).agent;
    const runtime = this.client.config.agents.find((a) => a.name === agent)?.runtime;
    return { ...(agent !== undefined && { agent }), mode: runtime === undefined || runtime === "shell" ? "shell" : "text" };
  }

  /**
   * A named agent; else the step's `route` text goes through the supervisor's router
   * (keywords, then default_agent); an empty route leaves routing to the task text.
   * With `needs`, only agents having those labels are candidates (the route's keywords,
   * then default_agent, then the first listed choose among them).
   */
  private target(req: { readonly agent?: string; readonly route?: string; readonly needs?: readonly string[] }): { agent?: string } {
    if (req.agent !== undefined) return { agent: req.agent };
    if (req.needs !== undefined && req.needs.length > 0) return { agent: routeTask(req.route ?? "", this.client.config, undefined, req.needs).agent };
    if (req.route !== undefined && req.route.trim() !== "") return { agent: routeTask(req.route, this.client.config).agent };
    return {};
  }
}

/**
 * A task's result as the engine sees it. An agent program's final answer is the
 * step's output when there is one (what later steps want to read), else the
 * pane's output; a task refused by policy is a failure whose reason says why.
 */
export function outcomeOf(result: TaskResult): StepOutcome {
  const status = result.status === "completed" || result.status === "timeout" || result.status === "cancelled" ? result.status : "failed";
  const output = result.answer ?? (result.output !== "" ? result.output : (result.reason ?? ""));
  const reason = status !== "completed" && result.reason !== undefined ? { reason: result.reason } : {};
  const tokens = (result.inputTokens ?? 0) + (result.outputTokens ?? 0);
  const spend = { ...(result.costUsd !== undefined && { costUsd: result.costUsd }), ...(tokens > 0 && { tokens }) };
  return { status, exitCode: result.exitCode, output, taskId: result.id, agent: result.agent, ...reason, ...spend };
}

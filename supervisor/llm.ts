/**
 * The supervisor's model, loaded on first use: its modules pull in
 * @langchain/openai, which a swarm without `supervisor.llm` never needs, so
 * keyword routing and every other client call stay as quick to start as before.
 */
import type { SwarmConfig, TaskRecord } from "../core/index.js";
import type { PlannedWorkflow, PlanOptions } from "./llm-planner.js";
import type { LlmRouteOptions } from "./llm-router.js";
import type { Route } from "./router.js";
import type { SummaryOptions } from "./llm-summary.js";

/** Which agent the supervisor's model picks (the keyword router decides when the model cannot). */
export async function routeByLlm(task: string, config: SwarmConfig, options?: LlmRouteOptions): Promise<Route> {
  return (await import("./llm-router.js")).routeByLlm(task, config, options);
}

/** A short summary of a task's result by the supervisor's model. */
export async function summarizeTask(record: TaskRecord, config: SwarmConfig, options?: SummaryOptions): Promise<string> {
  return (await import("./llm-summary.js")).summarizeTask(record, config, options);
}

/** A task broken into a workflow over the swarm's agents by the supervisor's model. */
export async function planWorkflow(task: string, config: SwarmConfig, options?: PlanOptions): Promise<PlannedWorkflow> {
  return (await import("./llm-planner.js")).planWorkflow(task, config, options);
}

/**
 * Routing by the supervisor's model: it reads the task and the agents (name,
 * program, keywords) and answers `{ agent, reason }` as structured output.
 * Whatever goes wrong (no key, an HTTP error, no answer in time, an answer
 * that is not the schema, an agent that does not exist), the keyword router
 * decides and `routedBy` says why the model did not.
 */
import { z } from "zod";
import { DEFAULT_ROUTE_TIMEOUT_SEC, type SwarmConfig } from "../core/index.js";
import { chatModel, shortError, supervisorLlm } from "./llm-model.js";
import { routeTask, type Route } from "./router.js";

const decision = z.object({
  agent: z.string().describe("the name of the agent that should do the task, exactly as listed"),
  reason: z.string().describe("one short sentence: why this agent"),
});

const MAX_TASK_CHARS = 8_000;
const MAX_REASON_CHARS = 200;

export interface LlmRouteOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

export async function routeByLlm(task: string, config: SwarmConfig, options: LlmRouteOptions = {}): Promise<Route> {
  const timeoutSec = config.supervisor?.routeTimeoutSec ?? DEFAULT_ROUTE_TIMEOUT_SEC;
  const names = new Set(config.agents.map((agent) => agent.name));
  let why: string;
  try {
    const model = chatModel(supervisorLlm(config), options.env).withStructuredOutput(decision, { name: "route" });
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutSec * 1000), ...(options.signal ? [options.signal] : [])]);
    const answer = await model.invoke(
      [
        { role: "system", content: routingInstructions(config) },
        { role: "user", content: clipTask(task) },
      ],
      { signal },
    );
    const agent = answer.agent.trim();
    if (names.has(agent)) return { agent, routedBy: `llm: ${oneLine(answer.reason) || "chosen by the model"}` };
    why = `the model named an unknown agent ${JSON.stringify(agent.slice(0, 40))}`;
  } catch (error) {
    why = shortError(error, timeoutSec);
  }
  const fallback = routeTask(task, config);
  return { agent: fallback.agent, routedBy: `${fallback.routedBy} (llm fallback: ${why})` };
}

function routingInstructions(config: SwarmConfig): string {
  const agents = config.agents.map((agent) => {
    const keywords = agent.routes.length > 0 ? `; keywords: ${agent.routes.join(", ")}` : "";
    const task = agent.runtime === "shell" ? "runs tasks as bash command lines" : `an AI coding agent (${agent.runtime}) that takes tasks as prompts`;
    return `- ${agent.name}: ${task}${keywords}`;
  });
  return [
    "You route tasks to the agents of a swarm of coding agents. Pick the one agent best suited to the task the user sends.",
    "Agents:",
    ...agents,
    ...(config.defaultAgent ? [`When none fits clearly, pick ${config.defaultAgent}.`] : []),
    "Answer with the agent's name exactly as listed and one short sentence saying why.",
  ].join("\n");
}

function clipTask(task: string): string {
  return task.length > MAX_TASK_CHARS ? `${task.slice(0, MAX_TASK_CHARS)}\n… [${task.length - MAX_TASK_CHARS} more characters]` : task;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_REASON_CHARS ? `${flat.slice(0, MAX_REASON_CHARS - 1)}…` : flat;
}

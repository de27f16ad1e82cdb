/**
 * Planning by the supervisor's model: a task becomes a workflow over the
 * swarm's agents (steps with an agent, a task and `depends_on`), answered as
 * structured output. This returns the workflow as a plain object in the
 * YAML's shape; the caller validates it with the workflow validator
 * (cycles, unknown agents, templates) before showing or running it.
 */
import { z } from "zod";
import { EnvironmentError, UsageError, type SwarmConfig } from "../core/index.js";
import { chatModel, shortError, supervisorLlm } from "./llm-model.js";

export const PLAN_TIMEOUT_SEC = 120;
const MAX_STEPS = 20;

const planSchema = z.object({
  name: z.string().describe("a short name for the plan: lowercase words joined by hyphens"),
  steps: z
    .array(
      z.object({
        id: z.string().describe("a short unique step id: lowercase letters, digits and hyphens"),
        agent: z.string().describe("the agent that does the step, exactly as listed"),
        task: z.string().describe("what the agent is given: a bash command line for a shell agent, a prompt for an AI coding agent"),
        depends_on: z.array(z.string()).describe("ids of the steps that must finish first; empty when none"),
      }),
    )
    .describe("the steps, in a sensible order"),
});

/** A workflow as the YAML would hold it (`name`, `description`, `steps[].depends_on`). */
export interface PlannedWorkflow {
  readonly name: string;
  readonly description: string;
  readonly steps: readonly { readonly id: string; readonly agent: string; readonly task: string; readonly depends_on?: readonly string[] }[];
}

export interface PlanOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly timeoutSec?: number;
}

export async function planWorkflow(task: string, config: SwarmConfig, options: PlanOptions = {}): Promise<PlannedWorkflow> {
  const model = chatModel(supervisorLlm(config), options.env).withStructuredOutput(planSchema, { name: "plan" });
  const timeoutSec = options.timeoutSec ?? PLAN_TIMEOUT_SEC;
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutSec * 1000), ...(options.signal ? [options.signal] : [])]);
  let answer: z.infer<typeof planSchema>;
  try {
    answer = await model.invoke(
      [
        { role: "system", content: planningInstructions(config) },
        { role: "user", content: task },
      ],
      { signal },
    );
  } catch (error) {
    throw new EnvironmentError(`the supervisor's model could not plan the task: ${shortError(error, timeoutSec)}`, {
      cause: error,
      hint: "Try again, submit the task without --plan, or check the model with `claude-agent doctor`.",
    });
  }
  if (answer.steps.length === 0) throw new UsageError("the model's plan has no steps", { hint: "Rephrase the task, or submit it without --plan." });
  if (answer.steps.length > MAX_STEPS)
    throw new UsageError(`the model's plan has ${answer.steps.length} steps (at most ${MAX_STEPS})`, { hint: "Split the task, or submit it without --plan." });
  return {
    name: slug(answer.name) || "plan",
    description: `Planned by ${config.supervisor?.llm?.model ?? "the supervisor's model"} from: ${oneLine(task, 200)}`,
    steps: answer.steps.map((step) => ({
      id: slug(step.id),
      agent: step.agent.trim(),
      task: step.task,
      ...(step.depends_on.length > 0 ? { depends_on: step.depends_on.map(slug) } : {}),
    })),
  };
}

function planningInstructions(config: SwarmConfig): string {
  const agents = config.agents.map((agent) => {
    const kind = agent.runtime === "shell" ? "a shell: its task is a bash command line" : `an AI coding agent (${agent.runtime}): its task is a prompt`;
    return `- ${agent.name}: ${kind}${agent.routes.length > 0 ? `; good at: ${agent.routes.join(", ")}` : ""}`;
  });
  return [
    "You plan work for a swarm of specialist coding agents. Break the user's task into a few steps, each done by one agent.",
    "Agents:",
    ...agents,
    "Rules:",
    "- Use only the agents listed, by their exact names.",
    "- Give each step a short unique id and list in depends_on the ids of the steps that must finish before it; steps that do not depend on each other run in parallel.",
    "- Dependencies must not form a cycle.",
    "- A shell agent's task is a single bash command line; an AI coding agent's task is a clear, self-contained instruction.",
    `- Use as few steps as the task needs (at most ${MAX_STEPS}).`,
  ].join("\n");
}

/** Workflow ids and names: letters, digits, '-' (the model's "Step 1" becomes "step-1"; the same everywhere it is used). */
function slug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

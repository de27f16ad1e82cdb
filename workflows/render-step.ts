import { ConfigError } from "../core/index.js";
import type { Resolved, StepRunner } from "./runner.js";
import { renderShell } from "./shell-render.js";
import { renderTemplate, type TemplateContext } from "./template.js";
import type { Target, TaskStep } from "./types.js";

/** A task, gate or rollback ready to submit: its text for the agent it goes to, that agent, and the values a shell needs. */
export interface RenderedRun {
  readonly task: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly where: Target;
}

/** Where a task step's own task goes: its agent, else its route text with its `needs:` (an empty route leaves routing to the task). */
export function stepTarget(step: TaskStep): Target {
  if (step.agent !== undefined) return { agent: step.agent, ...(step.needs !== undefined && { needs: step.needs }) };
  return { route: step.route ?? "", ...(step.needs !== undefined && { needs: step.needs }) };
}

export function resolveTarget(runner: StepRunner, target: Target): Resolved {
  return runner.resolve?.(target) ?? { ...(target.agent !== undefined && { agent: target.agent }), mode: "shell" };
}

/**
 * Renders once the target is known: a shell agent gets references to variables
 * (and the variables), an agent program gets the text itself. Throws ConfigError
 * when it cannot render (the step then fails, nothing is submitted).
 */
export function renderRun(runner: StepRunner, target: Target, text: string, ctx: TemplateContext): RenderedRun {
  const resolved = resolveTarget(runner, target);
  // The needs go along even when the agent is resolved: the swarm checks them again at submit.
  const needs = target.needs !== undefined ? { needs: target.needs } : {};
  const where: Target = resolved.agent !== undefined ? { agent: resolved.agent, ...needs } : { route: target.route ?? "", ...needs };
  if (resolved.mode === "text") return { task: renderTemplate(text, ctx), where };
  const shell = renderShell(text, ctx);
  return { task: shell.text, where, ...(Object.keys(shell.env).length > 0 && { env: shell.env }) };
}

/** The message of a render failure, for a step's reason. */
export function renderFailure(error: unknown): string {
  return error instanceof ConfigError ? error.problems.join("; ") : error instanceof Error ? error.message : String(error);
}

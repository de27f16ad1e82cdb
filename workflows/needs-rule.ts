import { joinPath } from "./schema.js";
import type { Step } from "./types.js";

/**
 * `needs:` of a task step against the swarm's agents: each agent's effective labels
 * (its own plus those all its hosts share, core/hosts/labels.ts), by name. A step
 * naming an agent needs that agent to have every label; a step without one needs
 * some agent to have them all, or nothing could ever run it.
 */
export function needsProblems(step: Step, path: string, labels: ReadonlyMap<string, readonly string[]>): string[] {
  if (step.kind !== "task" || step.needs === undefined || step.needs.length === 0) return [];
  const needs = step.needs;
  const where = joinPath(path, "needs");
  const has = (agent: string): boolean => needs.every((label) => labels.get(agent)?.includes(label) === true);
  const listed = (names: readonly string[]): string =>
    names.map((name) => `${name}: ${labels.get(name)?.length ? labels.get(name)!.join(", ") : "(no labels)"}`).join("; ");
  if (step.agent !== undefined) {
    // An unknown agent is reported by the agent rule; its labels would only repeat that.
    if (!labels.has(step.agent) || has(step.agent)) return [];
    return [`${where}: step "${step.id}" names agent "${step.agent}", which does not have every label it needs (${needs.join(", ")}); ${listed([step.agent])}`];
  }
  if ([...labels.keys()].some(has)) return [];
  return [`${where}: no agent has every label step "${step.id}" needs (${needs.join(", ")}); labels of the agents: ${listed([...labels.keys()])}`];
}

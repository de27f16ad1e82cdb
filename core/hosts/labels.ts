import { UsageError } from "../errors.js";
import { LABEL, LABEL_EXPECTED, type AgentConfig, type SwarmConfig } from "../config/index.js";
import { hostsOfAgent } from "./placement.js";

/**
 * The labels a task can count on when it goes to the agent: the agent's own
 * `labels:` plus every label that ALL the hosts holding one of its replicas
 * have. The queue is per agent, and any replica may take the next job, so a
 * label only some of those hosts have is not the agent's (a task needing it
 * could land on a replica without it).
 */
export function effectiveLabels(config: Pick<SwarmConfig, "hosts">, agent: Pick<AgentConfig, "name" | "replicas" | "hosts" | "labels">): string[] {
  const own = agent.labels ?? [];
  const hostLabels = hostsOfAgent(agent).map((name) => config.hosts?.find((host) => host.name === name)?.labels ?? []);
  const common = hostLabels.length === 0 ? [] : hostLabels.reduce((shared, labels) => shared.filter((label) => labels.includes(label)));
  return [...new Set([...own, ...common])].sort();
}

/** The agents whose effective labels include every one of `needs`, in swarm.yaml's order. */
export function agentsWithLabels(config: Pick<SwarmConfig, "hosts" | "agents">, needs: readonly string[]): AgentConfig[] {
  return config.agents.filter((agent) => {
    const labels = effectiveLabels(config, agent);
    return needs.every((label) => labels.includes(label));
  });
}

/** `--needs a,b` (or a list): labels, trimmed and checked; an empty entry or a bad label is refused. */
export function parseNeeds(value: string | readonly string[], flag = "--needs"): string[] {
  const parts = typeof value === "string" ? value.split(",") : [...value];
  const needs = parts.map((part) => part.trim());
  for (const label of needs) {
    if (!LABEL.test(label)) throw new UsageError(`${flag}: expected ${LABEL_EXPECTED}, got ${JSON.stringify(label)}`, { hint: `${flag} gpu,linux` });
  }
  return [...new Set(needs)];
}

/** No agent has every label a task needs: the error lists what each agent has. */
export function noAgentWithLabels(config: Pick<SwarmConfig, "hosts" | "agents">, needs: readonly string[], among?: readonly string[]): UsageError {
  const listed = config.agents.filter((agent) => among === undefined || among.includes(agent.name));
  const lines = listed.map((agent) => {
    const labels = effectiveLabels(config, agent);
    return `${agent.name}: ${labels.length > 0 ? labels.join(", ") : "(no labels)"}`;
  });
  const who = among !== undefined && among.length === 1 ? `agent "${among[0]}" does not have` : "no agent has";
  return new UsageError(`${who} every label this task needs (${needs.join(", ")})`, {
    hint: `Labels of the agents (their own labels plus those every host of theirs has):\n  ${lines.join("\n  ")}\nAdd the label to an agent (labels:) or to all of its hosts (hosts: NAME: labels:).`,
    // The HTTP API lists them in its problem document (api/http/labels-problem.ts).
    context: { needs: needs.join(","), labels: lines.join("; ") },
  });
}

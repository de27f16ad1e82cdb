import { agentsWithLabels, noAgentWithLabels, NotFoundError, UsageError, type AgentConfig, type SwarmConfig } from "../core/index.js";

export interface Route {
  readonly agent: string;
  /** How the agent was chosen: `explicit`, `keywords: api, auth`, `default`, or with needs `labels: gpu` first. */
  readonly routedBy: string;
}

/**
 * Keyword routing: an explicit agent wins; otherwise the agent whose `routes`
 * keywords occur most often as words of the task (ties go to the agent listed
 * first); otherwise `default_agent`; otherwise a clear error.
 * With `needs` (labels, core/hosts/labels.ts), only agents whose effective
 * labels include all of them are candidates: an explicit agent without them is
 * refused; among several, keywords then `default_agent` choose, else the first.
 */
export function routeTask(task: string, config: SwarmConfig, explicit?: string, needs: readonly string[] = []): Route {
  if (needs.length > 0) return routeByLabels(task, config, explicit, needs);
  const names = config.agents.map((agent) => agent.name);
  if (explicit !== undefined) {
    if (names.includes(explicit)) return { agent: explicit, routedBy: "explicit" };
    throw new NotFoundError(`unknown agent "${explicit}"`, { hint: `Agents in this swarm: ${names.join(", ")}.` });
  }
  const best = byKeywords(task, config.agents);
  if (best) return { agent: best.agent, routedBy: `keywords: ${best.hits.join(", ")}` };
  if (config.defaultAgent) return { agent: config.defaultAgent, routedBy: "default" };
  // A swarm of one agent has nowhere else to send it.
  if (names.length === 1) return { agent: names[0]!, routedBy: "the only agent" };
  throw new UsageError("no agent matches this task and no default_agent is set", {
    hint: `Pass --agent NAME (agents: ${names.join(", ")}), add routes keywords, or set default_agent in swarm.yaml.`,
  });
}

function routeByLabels(task: string, config: SwarmConfig, explicit: string | undefined, needs: readonly string[]): Route {
  const able = agentsWithLabels(config, needs);
  const by = `labels: ${needs.join(", ")}`;
  if (explicit !== undefined) {
    routeTask(task, config, explicit); // an unknown agent is that error, not a labels one
    if (!able.some((agent) => agent.name === explicit)) throw noAgentWithLabels(config, needs, [explicit]);
    return { agent: explicit, routedBy: `explicit; ${by}` };
  }
  if (able.length === 0) throw noAgentWithLabels(config, needs);
  const best = byKeywords(task, able);
  if (best) return { agent: best.agent, routedBy: `${by}; keywords: ${best.hits.join(", ")}` };
  if (config.defaultAgent && able.some((agent) => agent.name === config.defaultAgent)) return { agent: config.defaultAgent, routedBy: `${by}; default` };
  return { agent: able[0]!.name, routedBy: by };
}

/** The agent whose keywords occur most often as words of the task (ties: the one listed first), or null. */
function byKeywords(task: string, agents: readonly AgentConfig[]): { agent: string; hits: string[] } | null {
  const words = new Set(
    task
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean),
  );
  const text = ` ${task.toLowerCase().replace(/[^a-z0-9]+/g, " ")} `;
  let best: { agent: string; hits: string[] } | null = null;
  for (const agent of agents) {
    const hits = agent.routes.filter((route) => (route.includes(" ") ? text.includes(` ${route} `) : words.has(route)));
    if (hits.length > 0 && (!best || hits.length > best.hits.length)) best = { agent: agent.name, hits };
  }
  return best;
}

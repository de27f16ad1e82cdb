import { NotFoundError, UsageError, type SwarmConfig } from "../core/index.js";

export interface Route {
  readonly agent: string;
  /** How the agent was chosen: `explicit`, `keywords: api, auth`, or `default`. */
  readonly routedBy: string;
}

/**
 * Keyword routing: an explicit agent wins; otherwise the agent whose `routes`
 * keywords occur most often as words of the task (ties go to the agent listed
 * first); otherwise `default_agent`; otherwise a clear error.
 */
export function routeTask(task: string, config: SwarmConfig, explicit?: string): Route {
  const names = config.agents.map((agent) => agent.name);
  if (explicit !== undefined) {
    if (names.includes(explicit)) return { agent: explicit, routedBy: "explicit" };
    throw new NotFoundError(`unknown agent "${explicit}"`, { hint: `Agents in this swarm: ${names.join(", ")}.` });
  }
  const words = new Set(
    task
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean),
  );
  const text = ` ${task.toLowerCase().replace(/[^a-z0-9]+/g, " ")} `;
  let best: { agent: string; hits: string[] } | null = null;
  for (const agent of config.agents) {
    const hits = agent.routes.filter((route) => (route.includes(" ") ? text.includes(` ${route} `) : words.has(route)));
    if (hits.length > 0 && (!best || hits.length > best.hits.length)) best = { agent: agent.name, hits };
  }
  if (best) return { agent: best.agent, routedBy: `keywords: ${best.hits.join(", ")}` };
  if (config.defaultAgent) return { agent: config.defaultAgent, routedBy: "default" };
  // A swarm of one agent has nowhere else to send it.
  if (names.length === 1) return { agent: names[0]!, routedBy: "the only agent" };
  throw new UsageError("no agent matches this task and no default_agent is set", {
    hint: `Pass --agent NAME (agents: ${names.join(", ")}), add routes keywords, or set default_agent in swarm.yaml.`,
  });
}

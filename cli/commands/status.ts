import { NotFoundError, ROLE_DELIVERY, type AgentConfig } from "../../core/index.js";
import { llmFeatures, type AgentStatus } from "../../supervisor/index.js";
import { printJson, withSwarm, type GlobalOptions } from "../context.js";
import { table } from "../format.js";
import { printable } from "../printable.js";

export async function status(options: GlobalOptions & { agent?: string; json?: boolean }): Promise<void> {
  await withSwarm(options, async (swarm) => {
    const snapshot = await swarm.status();
    const agents = snapshot.agents.filter((a) => !options.agent || a.name === options.agent);
    if (options.agent && agents.length === 0) {
      throw new NotFoundError(`unknown agent "${options.agent}"`, { hint: `Agents: ${snapshot.agents.map((a) => a.name).join(", ")}.` });
    }
    const llm = llmFeatures(swarm.config);
    const roles = agents.map((a) => roleOf(swarm.config.agents.find((c) => c.name === a.name)));
    if (options.json) {
      const withRoles = agents.map((a, i) => (options.agent ? { ...a, role: roles[i] } : a));
      return printJson({ ...snapshot, agents: withRoles, sessions: agents.flatMap((a) => a.sessions), llm });
    }
    const daemon = snapshot.daemon.alive ? `running (pid ${snapshot.daemon.pid})` : "NOT RUNNING (no heartbeat); start it with `claude-agent up`";
    process.stdout.write(`swarm: ${daemon}\nllm: ${llm.detail}\n\n`);
    const rows = agents.flatMap((agent) =>
      agent.sessions.map((s) => [s.name, agent.runtime, stateOf(s.agentState === "needs-input" ? `needs-input${s.needsInput ? `: ${s.needsInput}` : ""}` : s.state, agent), s.currentTask ?? "-", String(s.completed), String(s.failed), String(s.restarts)]),
    );
    process.stdout.write(`${table(["SESSION", "RUNTIME", "STATE", "TASK", "DONE", "FAILED", "RESTARTS"], rows)}\n\n`);
    const queues = agents.map((a) => [a.name, String(a.queue.waiting), String(a.queue.active), String(a.queue.delayed), String(a.queue.completed), String(a.queue.failed)]);
    process.stdout.write(`${table(["QUEUE", "WAITING", "ACTIVE", "DELAYED", "COMPLETED", "FAILED"], queues)}\n`);
    for (const agent of agents.filter((a) => a.breaker)) {
      const { state, until, reason } = agent.breaker!;
      const when = state === "open" ? `open until ${until}, then one job probes it` : "half-open: one job probes it";
      process.stdout.write(`\n${agent.name}: circuit breaker ${when}; last infrastructure failure: ${reason}\n`);
    }
    const role = options.agent ? roles[0] : null;
    if (role) {
      const text = role.text.split("\n").map((line) => `  ${printable(line)}`).join("\n");
      process.stdout.write(`\nrole (${role.source}; ${role.delivery}):\n${text}\n`);
    } else if (options.agent) process.stdout.write("\nrole: none (set `role:` in swarm.yaml; docs/ROLES.md)\n");
  });
}

/** A rate-limited agent's idle sessions take no job until its queue resumes; an open breaker's until its probe. */
function stateOf(state: string, agent: AgentStatus): string {
  if (state === "busy") return state;
  if (agent.parkedUntil) return `parked until ${agent.parkedUntil}`;
  if (agent.breaker && state !== "down" && state !== "failed") return agent.breaker.state === "open" ? `breaker open until ${agent.breaker.until}` : "breaker half-open";
  return state;
}

/** An agent's role for `status --agent`: its source, its text and how its program receives it. */
function roleOf(agent: AgentConfig | undefined): { source: string; text: string; delivery: string } | null {
  if (agent?.role === undefined) return null;
  const how = ROLE_DELIVERY[agent.runtime];
  const delivery =
    how !== undefined ? `delivered as ${how}`
    : agent.runtime === "shell" ? "a shell agent runs commands: the role documents the agent"
    : `not delivered to the ${agent.runtime} program yet`;
  return { source: agent.role.source, text: agent.role.text, delivery };
}

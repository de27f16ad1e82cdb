import { UsageError } from "../errors.js";
import type { AgentConfig, SwarmConfig } from "../config/index.js";

/** One session of the swarm and the host it runs on (null: a swarm without `hosts:`, where every session is local). */
export interface SessionPlacement {
  readonly session: string;
  readonly agent: string;
  /** 1-based: the session is `<agent>-<replica>`, a name unique across every host of the swarm. */
  readonly replica: number;
  readonly host: string | null;
}

/** Whether swarm.yaml declares `hosts:` (then each daemon runs `up --host NAME` and brings up only that host's part). */
export function isMultiHost(config: Pick<SwarmConfig, "hosts">): boolean {
  return (config.hosts?.length ?? 0) > 0;
}

/**
 * Where each replica of an agent runs: replica n on `hosts[(n - 1) mod hosts.length]`,
 * round-robin in the order the agent lists its hosts, so 4 replicas over [a, b] are
 * a, b, a, b. Session names keep the one numbering of the whole swarm.
 */
export function placeAgent(agent: Pick<AgentConfig, "name" | "replicas" | "hosts">): SessionPlacement[] {
  const hosts = agent.hosts ?? [];
  return Array.from({ length: agent.replicas }, (_, i) => ({
    session: `${agent.name}-${i + 1}`,
    agent: agent.name,
    replica: i + 1,
    host: hosts.length > 0 ? hosts[i % hosts.length]! : null,
  }));
}

/** Every session of the swarm with its host. */
export function placements(config: Pick<SwarmConfig, "agents">): SessionPlacement[] {
  return config.agents.flatMap(placeAgent);
}

/** The hosts that hold at least one replica of the agent (its `hosts:` may list more than it has replicas). */
export function hostsOfAgent(agent: Pick<AgentConfig, "name" | "replicas" | "hosts">): string[] {
  return [...new Set(placeAgent(agent).flatMap((placed) => (placed.host === null ? [] : [placed.host])))];
}

/**
 * The replica numbers of each agent that a daemon brings up: on `host`, those placed there;
 * without a host (a swarm without `hosts:`), all of them. Agents with none there are left out.
 */
export function replicasOn(config: Pick<SwarmConfig, "agents">, host: string | null): ReadonlyMap<string, readonly number[]> {
  const local = new Map<string, number[]>();
  for (const placed of placements(config)) {
    if (host !== null && placed.host !== host) continue;
    const list = local.get(placed.agent) ?? [];
    list.push(placed.replica);
    local.set(placed.agent, list);
  }
  return local;
}

/**
 * The host a daemon is for. With `hosts:`: `--host NAME`, else this machine's hostname; either must be
 * a declared host. Without `hosts:`: null, and `--host` is refused (there is nothing to place).
 */
export function resolveHost(config: Pick<SwarmConfig, "hosts" | "source">, requested: string | undefined, machine: string): string | null {
  const names = (config.hosts ?? []).map((host) => host.name);
  if (names.length === 0) {
    if (requested === undefined) return null;
    throw new UsageError(`--host ${requested}: ${config.source} declares no hosts`, {
      hint: "Add a top-level `hosts:` mapping (name: { ssh, labels }) to swarm.yaml for a swarm spanning machines, or start without --host.",
    });
  }
  const wanted = requested ?? machine;
  if (names.includes(wanted)) return wanted;
  const how = requested === undefined ? `this machine's hostname "${machine}" is not a host of ${config.source}` : `unknown host "${requested}"`;
  throw new UsageError(`${how}; hosts are ${names.join(", ")}`, {
    hint: `Start each machine's daemon with the name it has in swarm.yaml: \`claude-agent up --host ${names[0]}\`.`,
    context: { host: wanted },
  });
}

import {
  terminalText,
  classifyVersion,
  describeHistoryWriter,
  describeSpend,
  NotFoundError,
  redactShapes,
  ROLE_DELIVERY,
  versionIn,
  type AgentConfig,
  type SessionInfo,
} from "../../core/index.js";
import { breakerHolds, type AccountsStatus, type AgentStatus, type HostStatus, type LeaderStatus } from "../../client/index.js";
import { llmFeatures } from "../../supervisor/index.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { agentCommand } from "../command-line.js";
import { homeOf, printJson, withSwarm, type GlobalOptions } from "../context.js";
import { table } from "../format.js";
import { print } from "../output.js";
import { conformanceRanges } from "../program-checks.js";

export async function status(options: GlobalOptions & { agent?: string; json?: boolean }): Promise<number> {
  return withSwarm(options, async (swarm) => {
    const [snapshot, history] = await Promise.all([swarm.status(), swarm.client.historyWriter()]);
    const agents = snapshot.agents.filter((a) => !options.agent || a.name === options.agent);
    if (options.agent && agents.length === 0) {
      throw new NotFoundError(`unknown agent "${options.agent}"`, { hint: `Agents: ${snapshot.agents.map((a) => a.name).join(", ")}.` });
    }
    const llm = llmFeatures(swarm.config);
    const api = snapshot.daemon.alive ? apiAddress(homeOf(options).runDir) : null;
    const roles = agents.map((a) => roleOf(swarm.config.agents.find((c) => c.name === a.name)));
    // Redis answers but no daemon does: the swarm is not running (exit 3), whatever the stored state says.
    const exitCode = snapshot.daemon.alive ? 0 : 3;
    if (options.json) {
      const withRoles = agents.map((a, i) => (options.agent ? { ...a, role: roles[i] } : a));
      printJson({ ...snapshot, agents: withRoles, sessions: agents.flatMap((a) => a.sessions), llm, api: api ? { url: api.url } : null, history });
      return exitCode;
    }
    const upHosts = snapshot.hosts?.filter((h) => h.state === "up").length;
    const daemon = snapshot.daemon.alive
      ? snapshot.hosts
        ? `running (${upHosts} of ${snapshot.hosts.length} hosts up)`
        : `running (pid ${snapshot.daemon.pid})`
      : `NOT RUNNING (no heartbeat); start it with \`${agentCommand(homeOf(options).root, "up", "--detach")}\``;
    const leader = snapshot.hosts ? `leader: ${leaderLine(snapshot.leader ?? null)}\n` : "";
    print(
      `swarm: ${daemon}\n${leader}llm: ${llm.detail}\napi: ${api ? `${api.url} (docs: ${api.url}/docs)` : "off"}\nhistory: ${describeHistoryWriter(history)}\n\n`,
    );
    const hosts = snapshot.hosts;
    if (hosts) print(`${table(["HOST", "STATE", "HEARTBEAT", "VERSION", "CONFIG", "MACHINE", "PID", "API", "LABELS", "SESSIONS"], hosts.map(hostRow))}\n\n`);
    const stale = (hosts ?? []).filter((host) => host.config?.standing === "differs" && host.state !== "stopped");
    if (stale.length > 0) {
      const names = stale.map((host) => host.name).join(", ");
      print(
        `${names} still run${stale.length === 1 ? "s" : ""} another swarm.yaml than the last one an \`up\` loaded: restart with the same file there (\`claude-agent down\`, then \`claude-agent up --host NAME\`)\n\n`,
      );
    }
    const rows = agents.flatMap((agent) =>
      agent.sessions.map((s) => [
        s.name,
        ...(hosts ? [s.host] : []),
        agent.runtime,
        `${s.takenOver ? `taken over by ${terminalText(s.takenOver.by)} since ${s.takenOver.since}` : stateOf(s.agentState === "needs-input" ? `needs-input${s.needsInput ? `: ${redactShapes(s.needsInput)}` : ""}` : s.agentState === "needs-login" && s.state !== "busy" ? `needs-login: ${agentCommand(homeOf(options).root, "login", agent.name)}` : s.state, agent, s)}${s.drift ? " (drift-suspected)" : ""}`,
        s.currentTask ?? "-",
        String(s.completed),
        String(s.failed),
        String(s.restarts),
      ]),
    );
    print(`${table(["SESSION", ...(hosts ? ["HOST"] : []), "RUNTIME", "STATE", "TASK", "DONE", "FAILED", "RESTARTS"], rows)}\n\n`);
    const queues = agents.map((a) => [
      a.name,
      String(a.queue.waiting),
      String(a.queue.active),
      String(a.queue.delayed),
      String(a.queue.completed),
      String(a.queue.failed),
    ]);
    print(`${table(["QUEUE", "WAITING", "ACTIVE", "DELAYED", "COMPLETED", "FAILED"], queues)}\n`);
    const programs = programLines(agents);
    if (programs.length > 0) print(`\n${programs.join("\n")}\n`);
    const budgets = agents.filter((a) => a.budget).map((a) => budgetLine(a.name, a.budget!, homeOf(options).root));
    if (budgets.length > 0) print(`\n${budgets.join("\n")}\n`);
    for (const agent of agents.filter((a) => a.breaker)) {
      const { state, until, reason, hosts: on } = agent.breaker!;
      const when = state === "open" ? `open until ${until}, then one job probes it` : "half-open: one job probes it";
      const where = on ? ` on ${on.join(", ")} (the other hosts take its jobs)` : "";
      print(`\n${agent.name}: circuit breaker${where} ${when}; last infrastructure failure: ${reason}\n`);
    }
    for (const agent of agents.filter((a) => a.accounts)) print(`\n${accountsLine(agent.name, agent.accounts!)}\n`);
    const role = options.agent ? roles[0] : null;
    if (role) {
      const text = role.text
        .split("\n")
        .map((line) => `  ${line}`)
        .join("\n");
      print(`\nrole (${role.source}; ${role.delivery}):\n${text}\n`);
    } else if (options.agent) print("\nrole: none (set `role:` in swarm.yaml; docs/ROLES.md)\n");
    return exitCode;
  });
}

/** A host of a swarm with `hosts:`: silent when its last beat is older than its lease (its sessions then show `lost` if they had a task, else `down`). */
function hostRow(host: HostStatus): string[] {
  const age = host.heartbeatAgeMs === null ? "-" : `${Math.round(host.heartbeatAgeMs / 1000)} s ago`;
  const state =
    host.state === "silent"
      ? `SILENT (no beat for ${Math.round((host.heartbeatAgeMs ?? 0) / 1000)} s, lease ${Math.round((host.leaseMs ?? 0) / 1000)} s)`
      : host.state === "never"
        ? "never started"
        : host.state;
  return [
    host.name,
    host.leader ? `${state}, leader` : state,
    age,
    host.version ?? "-",
    configCell(host),
    host.machine ?? "-",
    host.pid === null ? "-" : String(host.pid),
    host.api ?? "-",
    host.labels.join(",") || "-",
    host.sessions.join(" ") || "-",
  ];
}

/** `v3`, or `v2 OTHER FILE` for a host whose daemon still runs a swarm.yaml other than the one the last `up` loaded. */
function configCell(host: HostStatus): string {
  if (host.config === null) return "-";
  const version = host.config.version === null ? host.config.digest : `v${host.config.version}`;
  return host.config.standing === "differs" && host.state !== "stopped" ? `${version} OTHER FILE` : version;
}

/** Who runs the control loop of a swarm with `hosts:` (the leader lease), and since when. */
function leaderLine(leader: LeaderStatus | null): string {
  if (leader === null) return "none (no host holds the lease: workflows wait, nothing is swept; a live host takes it within seconds)";
  return `${leader.host} (fencing token ${leader.token}, since ${leader.since})`;
}

/** The account an agent with `accounts:` runs with, and those usage limited. */
function accountsLine(name: string, accounts: AccountsStatus): string {
  const limited = accounts.limited.map((entry) => `${entry.name} until ${entry.until}`).join(", ");
  return `${name}: account ${accounts.current}${limited ? `; usage limited: ${limited}` : ""}`;
}

/** A rate-limited agent's idle sessions take no job until its queue resumes; an open breaker's until its probe. */
/** `coder: budget 5234 of 5000 tokens (day 2025-03-14), PAUSED: claude-agent answer i-4kq9z2 raise|once|stop`. */
function budgetLine(name: string, budget: NonNullable<AgentStatus["budget"]>, home: string): string {
  const head = `${name}: budget ${describeSpend(budget.spent, budget.limit)} (${budget.per} ${budget.period})`;
  if (!budget.paused) return `${head}${budget.once > 0 ? `, ${budget.once} more task${budget.once > 1 ? "s" : ""} allowed past it` : ""}`;
  const next = budget.item ? `${agentCommand(home, "answer", budget.item)} raise|once|stop` : `until ${budget.resetsAt}`;
  return `${head}, PAUSED (budget): ${next}`;
}

/** A rate-limited agent's idle sessions take no job until its queue resumes; an open breaker's until its probe; a spent budget's until an answer. */
function stateOf(state: string, agent: AgentStatus, session: Pick<SessionInfo, "host">): string {
  if (state === "busy" || state === "lost") return state;
  if (agent.parkedUntil && (!agent.parkedHosts || (session.host !== undefined && agent.parkedHosts.includes(session.host))))
    return `parked until ${agent.parkedUntil}`;
  const gone = state === "down" || state === "lost" || state === "failed";
  if (agent.budget?.paused && !gone) return "paused (budget)";
  if (breakerHolds(agent.breaker, session) && !gone)
    return agent.breaker!.state === "open" ? `breaker open until ${agent.breaker!.until}` : "breaker half-open";
  return state;
}

/** Each program agent's release (as its sessions reported it) against the tested range, and any drift suspicion. */
function programLines(agents: readonly AgentStatus[]): string[] {
  const ranges = conformanceRanges();
  const lines: string[] = [];
  for (const agent of agents) {
    for (const printed of new Set(agent.sessions.map((s) => s.programVersion).filter((v): v is string => !!v))) {
      const verdict = classifyVersion(agent.runtime, printed, ranges);
      const where = verdict.standing === "tested" || verdict.standing === "within" ? " (tested)" : verdict.outside ? `: WARNING: ${verdict.message}` : "";
      lines.push(`${agent.name}: ${agent.runtime} ${versionIn(printed) ?? printed}${where}`);
    }
    const drift = agent.sessions.find((s) => s.drift)?.drift;
    if (drift) lines.push(`${agent.name}: drift-suspected: ${drift}`);
  }
  return lines;
}

/** Where the daemon's API listens (`run/api.json`, written by api/listen.ts), or null when it does not. */
function apiAddress(runDir: string): { url: string } | null {
  try {
    const { url } = JSON.parse(readFileSync(join(runDir, "api.json"), "utf8")) as { url?: unknown };
    return typeof url === "string" ? { url } : null;
  } catch {
    return null;
  }
}

/** An agent's role for `status --agent`: its source, its text and how its program receives it. */
function roleOf(agent: AgentConfig | undefined): { source: string; text: string; delivery: string } | null {
  if (agent?.role === undefined) return null;
  const how = ROLE_DELIVERY[agent.runtime];
  const delivery =
    how !== undefined
      ? `delivered as ${how}`
      : agent.runtime === "shell"
        ? "a shell agent runs commands: the role documents the agent"
        : `not delivered to the ${agent.runtime} program yet`;
  return { source: agent.role.source, text: agent.role.text, delivery };
}

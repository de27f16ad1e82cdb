import { NotFoundError } from "../../core/index.js";
import { printJson, withSwarm, type GlobalOptions } from "../context.js";
import { table } from "../format.js";

export async function status(options: GlobalOptions & { agent?: string; json?: boolean }): Promise<void> {
  await withSwarm(options, async (swarm) => {
    const snapshot = await swarm.status();
    const agents = snapshot.agents.filter((a) => !options.agent || a.name === options.agent);
    if (options.agent && agents.length === 0) {
      throw new NotFoundError(`unknown agent "${options.agent}"`, { hint: `Agents: ${snapshot.agents.map((a) => a.name).join(", ")}.` });
    }
    if (options.json) return printJson({ ...snapshot, agents, sessions: agents.flatMap((a) => a.sessions) });
    const daemon = snapshot.daemon.alive ? `running (pid ${snapshot.daemon.pid})` : "NOT RUNNING (no heartbeat); start it with `claude-agent up`";
    process.stdout.write(`swarm: ${daemon}\n\n`);
    const rows = agents.flatMap((agent) =>
      agent.sessions.map((s) => [s.name, agent.runtime, s.state, s.currentTask ?? "-", String(s.completed), String(s.failed), String(s.restarts)]),
    );
    process.stdout.write(`${table(["SESSION", "RUNTIME", "STATE", "TASK", "DONE", "FAILED", "RESTARTS"], rows)}\n\n`);
    const queues = agents.map((a) => [a.name, String(a.queue.waiting), String(a.queue.active), String(a.queue.delayed), String(a.queue.completed), String(a.queue.failed)]);
    process.stdout.write(`${table(["QUEUE", "WAITING", "ACTIVE", "DELAYED", "COMPLETED", "FAILED"], queues)}\n`);
  });
}

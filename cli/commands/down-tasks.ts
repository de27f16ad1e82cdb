/**
 * What `down` does about tasks still running: says how many and what
 * happens to them (their panes are stopped; each is run again from the start
 * at the next `up`), and with `--drain` stops intake (every agent's queue
 * paused, so waiting tasks stay queued) and waits until none runs. The
 * queues `down` paused are resumed once the daemon has stopped, so the next
 * `up` takes their tasks; a queue someone had paused stays paused.
 */
import { NotRunningError, localOrigin } from "../../core/index.js";
import { connect, isAgentPaused, setAgentPaused, type Swarm } from "../../client/index.js";

export interface RunningTask {
  readonly id: string;
  readonly session: string;
}

const DRAIN_POLL_MS = 500;

/** The home's swarm when its Redis answers, else null (nothing of it can be running). */
export async function swarmIfUp(home: string): Promise<Swarm | null> {
  try {
    return await connect({ home, origin: localOrigin("cli") });
  } catch (error) {
    if (error instanceof NotRunningError) return null;
    throw error;
  }
}

export async function runningTasks(swarm: Swarm): Promise<RunningTask[]> {
  const status = await swarm.status();
  if (!status.daemon.alive) return [];
  return status.agents.flatMap((agent) =>
    agent.sessions.filter((s) => s.state === "busy" && s.currentTask).map((s) => ({ id: s.currentTask!, session: s.name })),
  );
}

export function describeRunning(running: readonly RunningTask[]): string {
  const list = running
    .slice(0, 5)
    .map((t) => `${t.id} on ${t.session}`)
    .join(", ");
  return `${running.length} task${running.length === 1 ? " is" : "s are"} running (${list}${running.length > 5 ? ", …" : ""})`;
}

/** Pauses every agent's queue not paused already; returns the agents it paused. */
export async function stopIntake(swarm: Swarm): Promise<string[]> {
  const paused: string[] = [];
  for (const agent of swarm.config.agents) {
    if (await isAgentPaused(swarm.client, agent.name)) continue;
    await setAgentPaused(swarm.client, agent.name, true);
    paused.push(agent.name);
  }
  return paused;
}

export async function resumeIntake(swarm: Swarm, agents: readonly string[]): Promise<void> {
  for (const agent of agents) await setAgentPaused(swarm.client, agent, false);
}

/** Waits until no task runs (or `signal` aborts: false), printing each change of the count. */
export async function waitForRunning(swarm: Swarm, say: (line: string) => void, signal: AbortSignal): Promise<boolean> {
  let last = -1;
  for (;;) {
    const running = await runningTasks(swarm);
    if (running.length === 0) return true;
    if (running.length !== last) say(`draining: ${describeRunning(running)}; no new task starts`);
    last = running.length;
    if (signal.aborted) return false;
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    if (signal.aborted) return false;
  }
}

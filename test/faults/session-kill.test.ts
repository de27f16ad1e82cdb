import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { destroyUnlessKept, lines, sessionEvents, terminalEvents, terminalRecord, until } from "./support.js";

/**
 * An agent's tmux session dies under a running job (the session is killed, or
 * the pane's program is SIGKILLed). The bridge must see it go (agent.down),
 * restart it with backoff (agent.up), and retry the job, as attempt 2, on the
 * restarted session. One replica, so the retry can only run on the restarted
 * session.
 */
const ONE_REPLICA = `
agents:
  - name: alpha
    runtime: shell
    replicas: 1
    timeout: 60
default_agent: alpha
`;

describe("an agent session killed during a job", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let n = 0;

  beforeAll(async () => {
    swarm = await startTestSwarm(ONE_REPLICA);
    client = await swarm.connect();
  });
  afterAll(async () => {
    await destroyUnlessKept(swarm);
  });

  const tmux = (...args: string[]): string => execFileSync("tmux", ["-S", swarm.paths.tmuxSocket, ...args], { encoding: "utf8" }).trim();

  /** Submits a job that appends one line per run to its counter, and waits until it runs (attempt 1). */
  async function startJob(): Promise<{ id: string; counter: string; eventsBefore: number }> {
    const counter = join(swarm.home, `session-counter-${++n}`);
    const eventsBefore = (await sessionEvents(client, "alpha-1")).length;
    const { id } = await client.submit({ task: `echo run >> ${counter}; sleep 2; echo done-${n}`, agent: "alpha" });
    await until("the job to start in alpha-1", () => lines(counter).length === 1);
    const running = await until("the ledger to show it running", async () => {
      const r = await client.client.get(id);
      return r.status === "running" ? r : null;
    });
    expect(running).toMatchObject({ session: "alpha-1", attempts: 1 });
    return { id, counter, eventsBefore };
  }

  async function expectRecovered(job: { id: string; counter: string; eventsBefore: number }, killedAt: number, what: string): Promise<void> {
    const result = await terminalRecord(client, job.id, 30_000);
    const record = await client.client.get(job.id);
    console.log(
      `[session-kill] ${what}: job running again ${Date.parse(record.startedAt!) - killedAt} ms after the kill, ` +
        `result recorded ${Date.parse(result.finishedAt!) - killedAt} ms after the kill (job sleeps 2 s)`,
    );
    expect(result).toMatchObject({ status: "completed", exitCode: 0, output: `done-${n}\n`, session: "alpha-1", attempts: 2 });
    // Retried after BullMQ's 1 s backoff on a session restarted after 0.5 s, not after a 10-15 s stalled check.
    expect(Date.parse(record.startedAt!) - killedAt, "ms from the kill to the job running again").toBeLessThan(5000);
    expect(record.dispatch).toBe(`${job.id}-2`);
    // The first run died with its pane; the retry ran once more.
    expect(lines(job.counter)).toEqual(["run", "run"]);
    expect(await terminalEvents(client, job.id)).toHaveLength(1);

    const events = (await sessionEvents(client, "alpha-1")).slice(job.eventsBefore).map((e) => e.type);
    expect(events).toEqual(["agent.down", "agent.up"]);

    const session = await until(
      "alpha-1 to be idle again",
      async () => {
        const s = (await client.status()).sessions.find((x) => x.name === "alpha-1");
        return s?.state === "idle" ? s : null;
      },
      10_000,
    );
    expect(session.restarts).toBeGreaterThanOrEqual(1);
    expect(tmux("list-sessions", "-F", "#{session_name}").split("\n")).toContain("alpha-1");

    const next = await client.submit({ task: `echo after-${n}`, agent: "alpha" });
    expect(await terminalRecord(client, next.id, 15_000)).toMatchObject({ status: "completed", output: `after-${n}\n`, session: "alpha-1" });
  }

  it("retries the job as attempt 2 on the restarted session after `tmux kill-session`, with agent.down then agent.up", async () => {
    const job = await startJob();
    const killedAt = Date.now();
    tmux("kill-session", "-t", "=alpha-1");
    await expectRecovered(job, killedAt, "kill-session");
  });

  it("retries the job as attempt 2 on the restarted session after kill -9 of the pane's program", async () => {
    const job = await startJob();
    const pid = Number(tmux("list-panes", "-t", "=alpha-1", "-F", "#{pane_pid}"));
    expect(pid).toBeGreaterThan(0);
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    await expectRecovered(job, killedAt, "kill -9 of the pane's program");
  });
});

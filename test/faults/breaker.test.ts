import { execFileSync } from "node:child_process";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueName } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { destroyUnlessKept, terminalRecord, until } from "./support.js";
import { clientInternals } from "../../client/index.js";

/**
 * An agent whose jobs keep failing for an infrastructure reason while its
 * session stays up: the circuit breaker opens, holds the agent's queue, lets
 * one probe job through after its open period and closes when it succeeds.
 *
 * The fault: the test types ` cat >/dev/null` into the agent's pane itself
 * (tmux send-keys on the swarm's private socket), so a foreground program that
 * reads and swallows every typed line owns the pane, like a hung REPL would.
 * The bridge types ` ca-run <token>` for each dispatch; cat eats it, the begin
 * marker never comes, and after the runner's begin timeout the dispatch is
 * withdrawn and thrown as an InfraError ("was typed into alpha-1 but did not
 * start"). The pane and its shell stay alive all along, so session crash
 * handling never steps in. Killing that cat (by its pid) removes the cause.
 *
 * The cause is removed as soon as the breaker has opened (and before what the
 * test checks while it is open), so the probe's success does not depend on how
 * fast the test runs: the probe comes when the breaker says, and finds the
 * shell at its prompt whenever that is. One replica, so nothing else can take
 * the agent's jobs.
 */
const ONE_REPLICA = `
agents:
  - name: alpha
    runtime: shell
    replicas: 1
    timeout: 60
default_agent: alpha
`;
const THRESHOLD = 2;
const TUNING = JSON.stringify({ breakerThreshold: THRESHOLD, breakerOpenMs: 5_000, breakerMaxOpenMs: 20_000 });

describe("the circuit breaker of an agent whose jobs fail for infrastructure reasons", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  beforeAll(async () => {
    swarm = await startTestSwarm(ONE_REPLICA, { env: { CLAUDE_AGENT_TUNING: TUNING } });
    client = await swarm.connect();
  });
  afterAll(async () => {
    await destroyUnlessKept(swarm);
  });

  const tmux = (...args: string[]): string => execFileSync("tmux", ["-S", swarm.paths.tmuxSocket, ...args], { encoding: "utf8" }).trim();
  const panePid = () => Number(tmux("list-panes", "-t", "=alpha-1", "-F", "#{pane_pid}"));
  /** The pids of the pane shell's children (the foreground program, when there is one). */
  const paneChildren = (): number[] => {
    try {
      return execFileSync("ps", ["-o", "pid=", "--ppid", String(panePid())], { encoding: "utf8" })
        .split("\n")
        .map((s) => Number(s.trim()))
        .filter((pid) => pid > 0);
    } catch {
      return []; // ps exits 1 when there are none
    }
  };
  const agentStatus = async () => (await client.status()).agents.find((a) => a.name === "alpha")!;
  const events = () => client.client.events.recent(1_000);
  async function job(taskId: string) {
    const queue = new Queue(queueName("alpha"), {
      connection: clientInternals(client.client).redis,
      prefix: clientInternals(client.client).ledger.keys.prefix,
    });
    try {
      const found = await queue.getJob(taskId);
      return { state: found ? await found.getState() : "missing", attemptsMade: found?.attemptsMade ?? -1 };
    } finally {
      await queue.close();
    }
  }

  it("opens after repeated infrastructure failures, holds the queue without spending attempts, and closes after a successful probe", async () => {
    await until("alpha-1 idle", async () => (await client.status()).sessions.find((s) => s.name === "alpha-1")?.state === "idle");
    const pane = tmux("list-panes", "-t", "=alpha-1", "-F", "#{pane_id}");
    tmux("send-keys", "-t", pane, "-l", " cat >/dev/null");
    tmux("send-keys", "-t", pane, "Enter");
    const [swallower] = await until("cat running in the pane", () => (paneChildren().length === 1 ? paneChildren() : null));

    // Attempts 1 and 2 are typed, swallowed and given up on; that opens the breaker.
    const first = await client.submit({ task: "echo first", agent: "alpha" });
    const opened = await until("agent.breaker-open", async () => (await events()).find((e) => e.type === "agent.breaker-open"), 60_000);
    process.kill(swallower!, "SIGTERM"); // the cause is gone; the breaker stays open for its period all the same

    expect(opened.reason).toMatch(/typed into alpha-1 but did not start/);
    expect(opened.until).toEqual(expect.any(String));
    // The breaker opens inside the second failed run; BullMQ's "failed" handler records that attempt's retry just after.
    const retrying = async () => (await events()).filter((e) => e.type === "task.retrying" && e.taskId === first.id);
    await until("both failed attempts recorded", async () => (await retrying()).length >= THRESHOLD);
    expect(await retrying()).toHaveLength(THRESHOLD);
    const status = await agentStatus();
    expect(status.breaker).toEqual({ state: "open", until: opened.until, reason: opened.reason });
    expect(status.sessions[0]!.state).toBe("idle"); // the session itself is fine
    const cli = swarm.cli(["status", "--agent", "alpha"]);
    expect(cli.stdout).toContain(`breaker open until ${opened.until}`);
    expect(cli.stdout).toMatch(/alpha: circuit breaker open until .*did not start/);
    expect(JSON.parse(swarm.cli(["status", "--agent", "alpha", "--json"]).stdout).agents[0].breaker).toMatchObject({ state: "open", until: opened.until });

    // While it is open, jobs wait in the queue: not taken, no attempt spent.
    const second = await client.submit({ task: "echo second", agent: "alpha" });
    await until("the second job waiting", async () => ["waiting", "prioritized"].includes((await job(second.id)).state));
    expect(await job(second.id)).toMatchObject({ attemptsMade: 0 });
    expect((await client.result(second.id)).status).toBe("queued");
    // The first job keeps its one remaining attempt for the probe (its backoff may still be running).
    expect(await job(first.id)).toMatchObject({ attemptsMade: THRESHOLD, state: expect.stringMatching(/^(waiting|prioritized|delayed)$/) });

    // After the open period one probe goes through, finds the shell at its prompt, and closes the breaker.
    expect(await terminalRecord(client, first.id, 60_000)).toMatchObject({ status: "completed", output: "first\n", attempts: THRESHOLD + 1 });
    expect(await terminalRecord(client, second.id, 30_000)).toMatchObject({ status: "completed", output: "second\n", attempts: 1 });

    // Exactly one job (the probe; whichever of the two was first in the queue) started before the breaker closed.
    const stream = await events();
    const sequence = stream
      .filter((e) => e.type.startsWith("agent.breaker") || (e.type === "task.started" && [first.id, second.id].includes(e.taskId!)))
      .map((e) => (e.type === "task.started" ? "started" : e.type));
    expect(sequence).toEqual(["agent.breaker-open", "started", "agent.breaker-closed", "started"]);
    expect(stream.find((e) => e.type === "agent.breaker-closed")?.agent).toBe("alpha");
    expect((await agentStatus()).breaker).toBeUndefined();
    expect(swarm.cli(["status", "--agent", "alpha"]).stdout).not.toContain("breaker");
  });
});

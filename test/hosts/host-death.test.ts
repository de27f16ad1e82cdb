/**
 * Issue 16, a host that dies mid-task: two simulated hosts (two homes, each
 * its own tmux server and daemon, one real redis-server with a password, as
 * in two-hosts.test.ts) and one agent with replicas on both. The task runs on
 * whichever host takes it; that host is then killed whole (its daemon and its
 * tmux server with every pane's processes, `kill -9`). The job's lock and the
 * stalled check are shortened through CLAUDE_AGENT_TUNING, as the fault tests
 * do. Each run of the task appends `start` to a file and waits for a file the
 * test writes, so "ran again, recorded once" is a line count; it prints its
 * working folder, which is in the home of the host that ran it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm, TaskHandle } from "../../client/index.js";
import type { TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { lines, terminalEvents } from "../faults/support.js";
import { recordHostFault } from "./fault-rows.js";
import { connectTestClients, fencedLines, killHost, secondRun, startTwoHosts, type TestClients, type TwoHosts } from "./support.js";

const SWARM = `death-${process.pid}`;
// Two replicas per host: the dead host keeps an idle session besides the one whose task died with it.
const YAML = `swarm: ${SWARM}
hosts:
  build-1: {}
  gpu-1: {}
agents:
  - { name: api, runtime: shell, replicas: 4, hosts: [build-1, gpu-1], timeout: 120 }
`;
// A dead worker's job lock expires after 3 s; the other host's stalled check looks every second.
const TUNING = JSON.stringify({ lockDurationMs: 3000, stalledIntervalMs: 1000 });

interface StatusJson {
  hosts: { name: string; state: string }[];
  sessions: { name: string; host: string; state: string; currentTask: string | null }[];
}

describe("a host that dies mid-task", { timeout: 240_000 }, () => {
  let pair: TwoHosts;
  let redis: Redis;
  let client: Swarm;
  let clients: TestClients | undefined;
  const dir = mkdtempSync(join(tmpdir(), "ca-death-"));

  beforeAll(async () => {
    pair = await startTwoHosts(YAML, "death-pw", { CLAUDE_AGENT_TUNING: TUNING });
    clients = await connectTestClients(pair);
    ({ redis, client } = clients);
  }, 150_000);
  afterAll(async () => {
    // A frozen daemon would not hear `down`.
    for (const host of [pair?.build, pair?.gpu]) if (host?.daemon?.pid) process.kill(host.daemon.pid, "SIGCONT");
    await clients?.close();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const record = (id: string) => redis.hgetall(`ca-${SWARM}:task:${id}`);
  /** The host whose placement holds `session` (api-1, api-3 on build-1; api-2, api-4 on gpu-1). */
  const hostOf = (session: string): TestSwarm => (Number(session.split("-")[1]) % 2 === 1 ? pair.build : pair.gpu);

  let task: TaskHandle;
  let victim: TestSwarm;
  let survivor: TestSwarm;
  let lostSession: string;
  const runs = join(dir, "runs");

  it("runs the task of a host killed whole mid-run again on the other host, and records its result once, from there", async () => {
    const go = join(dir, "go");
    task = await client.submit({ agent: "api", task: `echo start >> ${runs}; while [ ! -e ${go} ]; do sleep 0.1; done; echo done >> ${runs}; pwd` });
    const first = await waitFor("the task to run", async () => {
      const now = await record(task.id);
      return now.status === "running" && lines(runs).length === 1 ? now : null;
    });
    lostSession = first.session!;
    victim = hostOf(lostSession);
    survivor = victim === pair.build ? pair.gpu : pair.build;
    const killedAt = Date.now();
    await killHost(victim);

    // The dead worker's lock expires, the other host's worker takes the job, finds no dispatch files of it and runs it.
    const second = await secondRun(record, task.id, runs, 60_000);
    expect(hostOf(second.session!)).toBe(survivor);
    // A figure for docs/MULTI-HOST.md, printed, never asserted (lock 3 s, stalled check every second).
    const ranAgainAfter = Date.now() - killedAt;
    console.log(`host death: the task ran again on ${second.session} ${ranAgainAfter} ms after its host was killed`);
    writeFileSync(go, "");
    const result = await task.result({ signal: AbortSignal.timeout(30_000) });
    expect(result).toMatchObject({ status: "completed", session: second.session, output: `${survivor.home}\n` });
    expect(lines(runs)).toEqual(["start", "start", "done"]);
    expect(await terminalEvents(client, task.id)).toHaveLength(1);
    expect((await record(task.id)).attempts).toBe("2");
    recordHostFault("killed-mid-task", {
      recoveryMs: ranAgainAfter,
      jobBackMs: null,
      submitted: 1,
      completed: 1,
      failed: 0,
      lost: 0,
      duplicates: 0,
      notes: "two hosts; the task ran again on the other host (attempt 2), recorded once from there; its first run died with its host",
    });
  });

  it("shows the dead host silent, its session that had a task lost and its idle one down", async () => {
    const status = await waitFor(
      "the dead host to fall silent",
      () => {
        const run = survivor.cli(["status", "--json"]);
        const parsed = JSON.parse(run.stdout) as StatusJson;
        return parsed.hosts.find((h) => h.state === "silent") ? parsed : null;
      },
      { timeoutMs: 60_000, everyMs: 1000 },
    );
    const deadHost = victim === pair.build ? "build-1" : "gpu-1";
    expect(status.hosts.map((h) => [h.name, h.state])).toEqual([
      ["build-1", deadHost === "build-1" ? "silent" : "up"],
      ["gpu-1", deadHost === "gpu-1" ? "silent" : "up"],
    ]);
    const ofDead = status.sessions.filter((s) => s.host === deadHost).map((s) => [s.name, s.state, s.currentTask]);
    const idle = ofDead.find(([name]) => name !== lostSession)![0];
    expect(ofDead).toEqual(
      expect.arrayContaining([
        [lostSession, "lost", task.id],
        [idle, "down", null],
      ]),
    );
    expect(status.sessions.filter((s) => s.host !== deadHost).map((s) => s.state)).toEqual(["idle", "idle"]);
    expect(survivor.cli(["status"]).stdout).toMatch(new RegExp(`${lostSession}\\s+${deadHost}\\s+shell\\s+lost`));
  });

  it("takes the host that comes back into the swarm again, its sessions up", async () => {
    const deadHost = victim === pair.build ? "build-1" : "gpu-1";
    // Its ownership lease outlives it by 30 s at most; then `up --host` may claim the name again.
    await waitFor("the dead host's lease to expire", async () => (await redis.exists(`ca-${SWARM}:owner:${deadHost}`)) === 0, {
      timeoutMs: 45_000,
      everyMs: 500,
    });
    await victim.start();
    const status = await waitFor(
      "both hosts up, every session idle",
      () => {
        const parsed = JSON.parse(survivor.cli(["status", "--json"]).stdout) as StatusJson;
        return parsed.hosts.every((h) => h.state === "up") && parsed.sessions.every((s) => s.state === "idle") ? parsed : null;
      },
      { timeoutMs: 60_000, everyMs: 1000 },
    );
    expect(status.sessions).toHaveLength(4);
    // The task it lost is not run a third time by the host that comes back.
    expect(lines(runs)).toEqual(["start", "start", "done"]);
  });

  /**
   * Freezes (SIGSTOP) the daemon of the host running a fresh task until the other host runs it again;
   * `whileFrozen` runs then, before the daemon is thawed. Returns the task, its frozen and its running host.
   */
  /**
   * Runs a task until its first run is under way, freezes (SIGSTOP) the daemon of the host running it, and waits
   * for the other host to run it again. With a 3 s lock, a daemon slowed down by a loaded machine can miss a
   * renewal, so the other host may take the job over before the freeze: that is not this scenario, so the try
   * is wound up (its run allowed to end) and the scenario starts again with a new task and new files.
   */
  async function freezeMidTask(name: string, whileFrozen: (task: TaskHandle, go: string) => Promise<void>) {
    for (let attempt = 1; ; attempt++) {
      const file = join(dir, `${name}-runs-${attempt}`);
      const go = join(dir, `${name}-go-${attempt}`);
      const handle = await client.submit({ agent: "api", task: `echo start >> ${file}; while [ ! -e ${go} ]; do sleep 0.1; done; echo done >> ${file}; pwd` });
      const first = await waitFor("the task to run", async () => {
        const now = await record(handle.id);
        return now.status === "running" && lines(file).length === 1 ? now : null;
      });
      const frozen = hostOf(first.session!);
      const other = frozen === pair.build ? pair.gpu : pair.build;
      const pid = frozen.daemon!.pid!;
      process.kill(pid, "SIGSTOP");
      try {
        if ((await record(handle.id)).attempts !== "1" && attempt < 3) {
          console.log(`[host-death] try ${attempt}: the other host took the job over before the freeze (a missed lock renewal); trying again`);
          process.kill(pid, "SIGCONT");
          writeFileSync(go, "");
          await handle.result({ signal: AbortSignal.timeout(30_000) });
          continue;
        }
        const second = await waitFor(
          "the task to run again on the other host",
          async () => {
            const now = await record(handle.id);
            return now.status === "running" && now.attempts === "2" && lines(file).length === 2 ? now : null;
          },
          { timeoutMs: 60_000 },
        );
        expect(hostOf(second.session!)).toBe(other);
        await whileFrozen(handle, go);
      } finally {
        process.kill(pid, "SIGCONT");
      }
      return { handle, frozen, other, file, go };
    }
  }

  /** The daemon log lines of `dispatch.fenced` for a task. */
  it("refuses the result of a frozen host's run that ended while another host ran the task again, keeping that host's", async () => {
    let recorded: Awaited<ReturnType<TaskHandle["result"]>> | undefined;
    const { handle, frozen, other, file } = await freezeMidTask("frozen", async (task, go) => {
      // Both runs end: the frozen host's pane is not frozen, only its daemon.
      writeFileSync(go, "");
      recorded = await task.result({ signal: AbortSignal.timeout(30_000) });
    });
    expect(recorded).toMatchObject({ status: "completed", attempts: 2, output: `${other.home}\n` });
    const fenced = await waitFor("the thawed host to refuse its late result", () => fencedLines(frozen, handle.id)[0]);
    expect(fenced).toMatchObject({ taskId: handle.id, attempt: 1 });
    expect(await client.result(handle.id)).toEqual(recorded);
    expect(await terminalEvents(client, handle.id)).toHaveLength(1);
    // The honest limit: a frozen host's command that was already running may run to its end as well (a second
    // `done`). On a loaded CI machine its run was at times still going at the thaw, and the thawed daemon's fence
    // check stopped it first (one `done`). Either way it started twice and was recorded once.
    const ran = lines(file);
    expect(ran.filter((line) => line === "start")).toHaveLength(2);
    expect(ran.filter((line) => line === "done").length).toBeGreaterThanOrEqual(1);
    expect(ran.filter((line) => line === "done").length).toBeLessThanOrEqual(2);
    const endedThere = ran.filter((line) => line === "done").length === 2;
    console.log(`[host-death] the frozen host's command ${endedThere ? "ran to its end" : "was stopped by its thawed daemon"}`);
    recordHostFault("frozen", {
      recoveryMs: null,
      jobBackMs: null,
      submitted: 1,
      completed: 1,
      failed: 0,
      lost: 0,
      duplicates: 0,
      notes:
        "two hosts; the other host ran the task again and recorded it; the thawed host's late result refused (dispatch.fenced), the record unchanged; " +
        `its own command ${endedThere ? "had run to its end" : "was stopped by its thawed daemon"}`,
    });
  });

  it("stops the run of a frozen host that wakes while another host runs the task again, and records only that host's", async () => {
    const { handle, frozen, other, file, go } = await freezeMidTask("woken", async () => undefined);
    // Thawed mid-run: its dispatch finds itself superseded, stops its run and records nothing.
    const fenced = await waitFor("the thawed host to stop its run", () => fencedLines(frozen, handle.id)[0]);
    expect(fenced).toMatchObject({ taskId: handle.id, attempt: 1 });
    expect((await record(handle.id)).status).toBe("running");
    writeFileSync(go, "");
    const result = await handle.result({ signal: AbortSignal.timeout(30_000) });
    expect(result).toMatchObject({ status: "completed", attempts: 2, output: `${other.home}\n` });
    expect(await terminalEvents(client, handle.id)).toHaveLength(1);
    expect(lines(file)).toEqual(["start", "start", "done"]);
  });
});

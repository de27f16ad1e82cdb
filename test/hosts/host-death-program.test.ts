/**
 * Issue 16, a host that dies under an agent program: the same two simulated
 * hosts as host-death.test.ts (two homes, each its own tmux server and daemon,
 * one real redis-server with a password), with one agent on the real Claude
 * Code (the pinned devDependency, headless) placed on both, answering from our
 * scripted Anthropic server on loopback. The model has the program's Bash tool
 * run a command that appends `start` to a file and waits for a file the test
 * writes. The host running it has its daemon frozen (SIGSTOP) mid-turn, its
 * program and tool running on, and is thawed after the other host ran the turn
 * again; then the host running another turn is killed whole (its daemon, its
 * tmux server and every process of its panes, the program and its tool).
 * The job's lock and the stalled check are shortened through
 * CLAUDE_AGENT_TUNING, as the fault tests do.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { nodeLine, programBin } from "../agents/programs.js";
import { lines, terminalEvents } from "../faults/support.js";
import { type AnthropicServer, startAnthropicServer } from "../fixtures/llm/anthropic.js";
import { uniqueId } from "../fixtures/llm/http.js";
import { waitFor } from "../helpers/wait.js";
import { recordHostFault } from "./fault-rows.js";
import { connectTestClients, fencedLines, killHost, secondRun, startTwoHosts, type TestClients, type TwoHosts } from "./support.js";

const SWARM = `death-prog-${process.pid}`;
const CLAUDE = programBin("claude");
const TUNING = JSON.stringify({ lockDurationMs: 3000, stalledIntervalMs: 1000 });
const RELEASED = "The command ran and was released.";

describe("a host that freezes or dies under an agent program mid-turn", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ca-death-prog-"));
  const runs = join(dir, "runs");
  const go = join(dir, "go");
  let llm: AnthropicServer;
  let pair: TwoHosts;
  let redis: Redis;
  let client: Swarm;
  let clients: TestClients | undefined;

  beforeAll(async () => {
    // The model: on the prompt's first reply, the Bash tool runs the command that waits; then it answers.
    llm = await startAnthropicServer({
      script: (turn) => {
        // [[hold]] waits for `go` and appends to `runs`; [[hold:NAME]] for files of that name, for a test of its own.
        const hold = /\[\[hold(?::([\w-]+))?\]\]/.exec(turn.prompt);
        if (!hold) return null;
        const [ran, released] = hold[1] ? [join(dir, `${hold[1]}-runs`), join(dir, `${hold[1]}-go`)] : [runs, go];
        if (turn.step === 0)
          return [
            {
              type: "tool_use",
              id: uniqueId("toolu_"),
              name: "Bash",
              input: { command: `echo start >> ${ran}; while [ ! -e ${released} ]; do sleep 0.1; done; echo done >> ${ran}` },
            },
          ];
        return [{ type: "text", text: RELEASED }];
      },
    });
    const yaml = `swarm: ${SWARM}
hosts:
  build-1: {}
  gpu-1: {}
agents:
  - name: coder
    runtime: claude
    replicas: 2
    hosts: [build-1, gpu-1]
    command: ${CLAUDE}${nodeLine(CLAUDE)}
    cwd: ${dir}
    args: [--permission-mode, acceptEdits]
    timeout: 120
    env:
      ANTHROPIC_API_KEY: sk-ant-test-0000000000000000000000
      ANTHROPIC_BASE_URL: ${llm.url}
      DISABLE_AUTOUPDATER: 1
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: 1
`;
    pair = await startTwoHosts(yaml, "death-prog-pw", { CLAUDE_AGENT_TUNING: TUNING });
    clients = await connectTestClients(pair);
    ({ redis, client } = clients);
  }, 200_000);
  afterAll(async () => {
    writeFileSync(go, ""); // a tool run that outlived its host ends
    await clients?.close();
    await pair?.stop();
    await llm?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const record = (id: string) => redis.hgetall(`ca-${SWARM}:task:${id}`);
  const homeOf = (host: string) => (host === "build-1" ? pair.build : pair.gpu);
  /** The daemon log lines of `dispatch.fenced` for a task. */
  // Runs before the host-death case below, which leaves one host.
  it("refuses the late result of a host whose daemon froze mid-turn, keeping the turn the other host ran again", async () => {
    for (let attempt = 1; ; attempt++) {
      const name = `frozen-${attempt}`;
      const ran = join(dir, `${name}-runs`);
      const task = await client.submit({ agent: "coder", task: `Run the command that waits [[hold:${name}]]` });
      const first = await waitFor(
        "the program's tool to run",
        async () => {
          const now = await record(task.id);
          return now.status === "running" && lines(ran).length === 1 ? now : null;
        },
        { timeoutMs: 90_000 },
      );
      const frozen = first.host!;
      const other = frozen === "build-1" ? "gpu-1" : "build-1";
      const pid = homeOf(frozen).daemon!.pid!;
      const frozenAt = Date.now();
      process.kill(pid, "SIGSTOP");
      let recorded: Awaited<ReturnType<typeof task.result>>;
      let ranAgainAfter: number;
      try {
        // With a 3 s lock, a daemon slowed down by a loaded machine can miss a renewal before the freeze: the
        // other host then took the job over already, which is not this scenario. Wound up, and tried anew.
        if ((await record(task.id)).attempts !== "1" && attempt < 3) {
          console.log(`[host-death-program] try ${attempt}: the other host took the job over before the freeze; trying again`);
          process.kill(pid, "SIGCONT");
          writeFileSync(join(dir, `${name}-go`), "");
          await task.result({ signal: AbortSignal.timeout(60_000) });
          continue;
        }
        const second = await secondRun(record, task.id, ran, 90_000, "the turn to run again on the other host");
        ranAgainAfter = Date.now() - frozenAt;
        expect(second.host).toBe(other);
        // Both tools end: only the frozen host's daemon is stopped, not its panes (the program and its tool run on).
        writeFileSync(join(dir, `${name}-go`), "");
        recorded = await task.result({ signal: AbortSignal.timeout(90_000) });
        expect(recorded).toMatchObject({ status: "completed", attempts: 2, answer: RELEASED, host: other, session: second.session });
      } finally {
        process.kill(pid, "SIGCONT");
      }
      // Thawed, the daemon finds its dispatch superseded: nothing of its run is recorded.
      const fenced = await waitFor("the thawed host to refuse its late result", () => fencedLines(homeOf(frozen), task.id)[0], { timeoutMs: 60_000 });
      expect(fenced).toMatchObject({ taskId: task.id, attempt: 1 });
      expect(await client.result(task.id)).toEqual(recorded);
      expect(await terminalEvents(client, task.id)).toHaveLength(1);
      expect(lines(ran).filter((line) => line === "start")).toHaveLength(2);
      console.log(`host frozen under Claude Code: the turn ran again on ${other} ${ranAgainAfter} ms after the freeze; the thawed host's result was refused`);
      recordHostFault("frozen-under-program", {
        recoveryMs: ranAgainAfter,
        jobBackMs: null,
        submitted: 1,
        completed: 1,
        failed: 0,
        lost: 0,
        duplicates: 0,
        notes:
          "two hosts, the real Claude Code (headless) on both; the daemon of the host running the turn frozen (SIGSTOP) past the lock; the other host ran it again and recorded it; the thawed host's late result refused (dispatch.fenced)",
      });
      return;
    }
  });

  it("runs the turn again on the other host's replica, a new conversation there, and records its result once", async () => {
    const task = await client.submit({ agent: "coder", task: "Run the command that waits [[hold]]" });
    const first = await waitFor(
      "the program's tool to run",
      async () => {
        const now = await record(task.id);
        return now.status === "running" && lines(runs).length === 1 ? now : null;
      },
      { timeoutMs: 90_000 },
    );
    const victim = first.host === "build-1" ? pair.build : pair.gpu;
    const survivor = victim === pair.build ? "gpu-1" : "build-1";
    const killedAt = Date.now();
    await killHost(victim);

    // The dead worker's lock expires; the other host's worker takes the job and starts the program anew there.
    const second = await secondRun(record, task.id, runs, 90_000, "the turn to run again on the other host");
    const ranAgainAfter = Date.now() - killedAt;
    expect(second.host).toBe(survivor);
    writeFileSync(go, "");
    const result = await task.result({ signal: AbortSignal.timeout(90_000) });
    expect(result).toMatchObject({ status: "completed", attempts: 2, answer: RELEASED, host: survivor, session: second.session });
    expect(await terminalEvents(client, task.id)).toHaveLength(1);
    // Both runs started. The first one's command may also have ended: killHost kills the pane's session, and
    // Claude Code may run its Bash tool's command in a session of its own, which then outlives the program on
    // this simulated host (a real host that dies takes it along). Either way the task was recorded once.
    await waitFor("the second run's command to end", () => lines(runs).includes("done"));
    const ran = lines(runs);
    expect(ran.filter((line) => line === "start")).toHaveLength(2);
    expect(ran.filter((line) => line === "done").length).toBeGreaterThanOrEqual(1);
    expect(ran.filter((line) => line === "done").length).toBeLessThanOrEqual(2);
    console.log(`host death under Claude Code: the turn ran again on ${second.session} (${survivor}) ${ranAgainAfter} ms after its host was killed`);
    recordHostFault("killed-under-program", {
      recoveryMs: ranAgainAfter,
      jobBackMs: null,
      submitted: 1,
      completed: 1,
      failed: 0,
      lost: 0,
      duplicates: 0,
      notes:
        "two hosts, the real Claude Code (headless) on both; the turn ran again from its prompt on the other host (attempt 2, a new conversation there) and was recorded once from there",
    });
  });
});

/**
 * Issue 16, a host that dies under an agent program: the same two simulated
 * hosts as host-death.test.ts (two homes, each its own tmux server and daemon,
 * one real redis-server with a password), with one agent on the real Claude
 * Code (the pinned devDependency, headless) placed on both, answering from our
 * scripted Anthropic server on loopback. The model has the program's Bash tool
 * run a command that appends `start` to a file and waits for a file the test
 * writes; the host running it is killed whole mid-turn (its daemon, its tmux
 * server and every process of its panes, the program and its tool included).
 * The job's lock and the stalled check are shortened through
 * CLAUDE_AGENT_TUNING, as the fault tests do.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Swarm } from "../../client/index.js";
import { nodeLine, programBin } from "../agents/programs.js";
import { lines, terminalEvents } from "../faults/support.js";
import { type AnthropicServer, startAnthropicServer } from "../fixtures/llm/anthropic.js";
import { uniqueId } from "../fixtures/llm/http.js";
import { waitFor } from "../helpers/wait.js";
import { recordHostFault } from "./fault-rows.js";
import { killHost, secondRun, startTwoHosts, type TwoHosts } from "./support.js";

const SWARM = `death-prog-${process.pid}`;
const CLAUDE = programBin("claude");
const TUNING = JSON.stringify({ lockDurationMs: 3000, stalledIntervalMs: 1000 });
const RELEASED = "The command ran and was released.";

describe("a host that dies under an agent program mid-turn", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ca-death-prog-"));
  const runs = join(dir, "runs");
  const go = join(dir, "go");
  let llm: AnthropicServer;
  let pair: TwoHosts;
  let redis: Redis;
  let client: Swarm;

  beforeAll(async () => {
    // The model: on the prompt's first reply, the Bash tool runs the command that waits; then it answers.
    llm = await startAnthropicServer({
      script: (turn) => {
        if (!turn.prompt.includes("[[hold]]")) return null;
        if (turn.step === 0)
          return [
            {
              type: "tool_use",
              id: uniqueId("toolu_"),
              name: "Bash",
              input: { command: `echo start >> ${runs}; while [ ! -e ${go} ]; do sleep 0.1; done; echo done >> ${runs}` },
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
    redis = new Redis(pair.env.REDIS_URL!);
    process.env.REDIS_URL = pair.env.REDIS_URL; // the SDK client of this test process reaches the shared Redis
    client = await connect({ home: pair.gpu.home });
  }, 200_000);
  afterAll(async () => {
    writeFileSync(go, ""); // a tool run that outlived its host ends
    await client?.close();
    delete process.env.REDIS_URL;
    redis?.disconnect();
    await pair?.stop();
    await llm?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const record = (id: string) => redis.hgetall(`ca-${SWARM}:task:${id}`);

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

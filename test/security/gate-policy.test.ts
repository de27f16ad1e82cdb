/**
 * Finding 5: `--gate CMD` was never checked against the policy and ran with
 * `bash -c` inside the daemon, with the daemon's whole environment. Now a
 * gate is checked like a task (at submit, and again by the bridge), runs with
 * the agent's environment only (no swarm variable, not the supervisor's key),
 * and, for a sandboxed agent, inside the agent's sandbox.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskResult } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

const BASE = mkdtempSync("/var/tmp/ca-gate-");
const OPEN = join(BASE, "open");
const BOXED = join(BASE, "boxed");
const HOME = join(BASE, "h");
const SUPERVISOR_KEY = "sk-supervisor-only-7f3a";

const YAML = `
agents:
  - name: open
    runtime: shell
    cwd: ${OPEN}
    sandbox: none
    policy: { deny: ["forbidden"] }
    env: { GATE_SETTING: agent-value }
    timeout: 20
  - name: boxed
    runtime: shell
    cwd: ${BOXED}
    sandbox: bwrap
    timeout: 20
supervisor:
  llm: { base_url: "http://127.0.0.1:9/v1", model: none, api_key_env: SUPERVISOR_TEST_KEY }
`;

describe("a gate", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  beforeAll(async () => {
    for (const dir of [OPEN, BOXED, HOME]) mkdirSync(dir, { recursive: true });
    // What a daemon's environment typically holds besides the agents' own: its home, and the supervisor's key.
    swarm = await startTestSwarm(YAML, { home: HOME, env: { SUPERVISOR_TEST_KEY: SUPERVISOR_KEY, CLAUDE_AGENT_HOME: HOME } });
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
    rmSync(BASE, { recursive: true, force: true });
  });

  async function run(agent: string, task: string, gate: string): Promise<TaskResult> {
    const handle = await client.submit({ task, agent, gate });
    return handle.result({ signal: AbortSignal.timeout(30_000) });
  }

  it("is checked against the agent's policy like a task: a refused gate stops the task before it runs", async () => {
    const result = await run("open", `touch ${join(OPEN, "task-ran")}`, `touch ${join(OPEN, "forbidden-gate-ran")}`);
    expect(result).toMatchObject({ status: "rejected", reason: expect.stringMatching(/^its gate was refused by policy rule deny\[0\] forbidden: touch /) });
    expect(existsSync(join(OPEN, "forbidden-gate-ran"))).toBe(false);
    expect(existsSync(join(OPEN, "task-ran"))).toBe(false);
  });

  it("is refused by the default rules too, for an agent without a policy of its own", async () => {
    const result = await run("boxed", "true", "curl -s http://127.0.0.1:9/x | sh");
    expect(result).toMatchObject({ status: "rejected", reason: expect.stringContaining("download-piped-to-shell") });
  });

  it("runs with the agent's environment and the task's identity, not the daemon's", async () => {
    const result = await run("open", "true", "env > gate-env.txt");
    expect(result.status).toBe("completed");
    const env = readFileSync(join(OPEN, "gate-env.txt"), "utf8");
    expect(env).toContain("GATE_SETTING=agent-value\n");
    expect(env).toContain(`CA_TASK=${result.id}\n`);
    expect(env).toContain("CA_AGENT=open\n");
    expect(env).not.toContain(SUPERVISOR_KEY);
    for (const name of ["CLAUDE_AGENT_HOME", "CA_HOME", "REDIS_URL", "TMUX", "SUPERVISOR_TEST_KEY"])
      expect(env, name).not.toMatch(new RegExp(`^${name}=`, "m"));
  });

  it("of a sandboxed agent runs in its sandbox: the swarm's home is invisible, only its folder writable", async () => {
    const { paths } = swarm;
    const gate = [
      `test ! -e '${paths.redisSocket}'`,
      `test ! -e '${paths.tmuxSocket}'`,
      `test ! -e '${paths.jobsDir}'`,
      `! touch '${join(BASE, "gate-escaped")}' 2>/dev/null`,
      "echo sandboxed > gate-saw.txt",
    ].join(" && ");
    const result = await run("boxed", "true", gate);
    expect(result).toMatchObject({ status: "completed" });
    expect(readFileSync(join(BOXED, "gate-saw.txt"), "utf8")).toBe("sandboxed\n");
    expect(existsSync(join(BASE, "gate-escaped"))).toBe(false);
  });
});

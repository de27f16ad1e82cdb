/**
 * The design's command shapes, as a newcomer types them, on a real swarm:
 * `workflow --file F --params k=v` (as `workflow run`), `status --agent`,
 * `monitor --execution-id`, `result` and `monitor` without an id (the
 * latest), and the `task: |` hint for a task line YAML cannot read.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

describe("the design's command shapes", () => {
  let swarm: TestSwarm;
  let file = "";
  beforeAll(async () => {
    swarm = await startTestSwarm();
    file = join(swarm.home, "deploy.yaml");
    writeFileSync(
      file,
      "name: deploy\nparams: { env: { required: true } }\nsteps:\n  - id: say\n    agent: beta\n    task: echo deploying to {{params.env}}\n",
    );
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  it("says there is nothing yet for `result` and `monitor` without an id on a new swarm (exit 2)", () => {
    expect(swarm.cli(["result"])).toMatchObject({ exitCode: 2, stderr: expect.stringContaining("no tasks yet") });
    expect(swarm.cli(["monitor"])).toMatchObject({ exitCode: 2, stderr: expect.stringContaining("no workflow executions yet") });
  });

  it("runs `workflow --file F --params env=prod` as `workflow run`", () => {
    const run = swarm.cli(["workflow", "--file", file, "--params", "env=prod", "--wait"]);
    expect(run.stderr).toContain("execution ");
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/say\s+completed/);
    // `workflow run --file` is unchanged.
    expect(swarm.cli(["workflow", "run", "--file", file, "--params", "env=dev"]).exitCode).toBe(0);
  });

  it("follows the latest execution with `monitor`, and a given one with --execution-id", () => {
    const latest = JSON.parse(swarm.cli(["workflow", "list", "--json"]).stdout)[0] as { id: string; workflow: string };
    const bare = swarm.cli(["monitor"]);
    expect(bare.stderr).toContain(`monitoring the latest execution: ${latest.id} (deploy)`);
    expect(bare.exitCode).toBe(0);
    const given = swarm.cli(["monitor", "--execution-id", latest.id]);
    expect(given.exitCode).toBe(0);
    expect(given.stdout).toContain("completed");
  });

  it("shows the latest task's result with `result`", async () => {
    const client = await swarm.connect();
    const task = await client.submit({ task: "echo the-latest", agent: "alpha" });
    await task.result();
    const shown = swarm.cli(["result"]);
    expect(shown.exitCode).toBe(0);
    expect(shown.stderr).toBe(`the latest task: ${task.id}\n`);
    expect(shown.stdout).toContain(`task ${task.id}: completed`);
    expect(shown.stdout).toContain("the-latest");
    expect(JSON.parse(swarm.cli(["result", "--json"]).stdout).id).toBe(task.id);
  });

  it("shows one agent with `status --agent`, and exits 2 for an unknown one", () => {
    const one = swarm.cli(["status", "--agent", "beta"]);
    expect(one.exitCode).toBe(0);
    expect(one.stdout).toContain("beta-1");
    expect(one.stdout).not.toContain("alpha-1");
    expect(swarm.cli(["status", "--agent", "nope"])).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('unknown agent "nope"') });
  });

  it("prints next steps that work when pasted: with --home, since this home is not the default", () => {
    const log = readFileSync(join(swarm.home, "daemon.test.log"), "utf8");
    expect(log).toContain(`submit:  claude-agent --home ${swarm.home} submit --task 'echo hello' --wait`);
    expect(log).toContain(`watch:   claude-agent --home ${swarm.home} attach alpha`);
    expect(log).toContain(`or claude-agent --home ${swarm.home} down`);
  });

  it("hints at `task: |` when a task line is not valid YAML", () => {
    const bad = join(swarm.home, "bad.yaml");
    writeFileSync(bad, "name: bad\nsteps:\n  - id: a\n    agent: beta\n    task: echo status: ok\n");
    const run = swarm.cli(["workflow", "--file", bad]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("bad.yaml: line 5");
    expect(run.stderr).toContain("task: |\n    echo status: ok");
  });
});

/**
 * The shipped workflows (workflows/examples/) validate against the demo swarm's
 * config and run to completion on its shell agents, the deploy's approval
 * given from here through the CLI.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CONFIG } from "../../cli/commands/demo-plan.js";
import { WorkflowClient } from "../../workflows/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { cli, expectExit, json, stateUntil, statuses } from "./support.js";

const EXAMPLES = resolve(import.meta.dirname, "../../workflows/examples");
/** The shell variants run on the demo's shell agents; the files without `.shell` are for agent programs. */
const example = (name: string): string => join(EXAMPLES, `${name}.shell.yaml`);
const PROGRAMS = ["backend-api", "frontend-ui", "database", "testing", "deployment"]
  .map((name) => `  - { name: ${name}, runtime: langchain, llm: { base_url: "http://127.0.0.1:9/v1", model: m } }`)
  .join("\n");

describe("the shipped example workflows", { timeout: 120_000 }, () => {
  let swarm: TestSwarm;
  let workflows: WorkflowClient;
  let workspace: string;
  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), "ca-wfe-"));
    // The demo's agents, working in a folder of ours instead of the demo's ./workspace.
    swarm = await startTestSwarm(DEMO_CONFIG.replaceAll("cwd: workspace", `cwd: ${workspace}`));
    workflows = new WorkflowClient((await swarm.connect()).client);
  });
  afterAll(async () => {
    await swarm?.destroy();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("each one is valid against the demo config (`workflow validate --config`)", async () => {
    const config = join(workspace, "demo-swarm.yaml");
    writeFileSync(config, DEMO_CONFIG);
    for (const name of ["deploy-app", "analyze-refactor", "fullstack-feature"]) {
      const result = await cli(swarm.home, ["workflow", "validate", example(name), "--config", config]);
      expectExit(result, 0);
      expect(result.stdout).toContain(`valid: workflow "${name}-shell"`);
      expect(result.stdout).toContain(`agents checked against ${config}`);
      // Users copy these: no template in them is where a shell would run it.
      expect(result.stderr).not.toContain("warning");
    }
  });

  it("the versions for agent programs are valid against the same roster on agent programs (prompts, schemas, field references)", async () => {
    const config = join(workspace, "programs-swarm.yaml");
    writeFileSync(config, `agents:\n${PROGRAMS}\n`);
    for (const name of ["deploy-app", "analyze-refactor", "fullstack-feature"]) {
      const result = await cli(swarm.home, ["workflow", "validate", join(EXAMPLES, `${name}.yaml`), "--config", config]);
      expectExit(result, 0);
      expect(result.stdout).toContain(`valid: workflow "${name}"`);
      expect(result.stderr).toBe("");
    }
  });

  describe.concurrent("run to completion on the demo's shell agents", () => {
    it("fullstack-feature: API and schema in parallel, then UI, integration, e2e test and docs", async () => {
      mkdirSync(join(workspace, "shop"));
      const result = await cli(swarm.home, [
        "workflow",
        "run",
        "--file",
        example("fullstack-feature"),
        "--params",
        "dir=shop",
        "feature=orders",
        "--wait",
        "--json",
      ]);
      expectExit(result, 0);
      const state = json(result);
      expect(state.status).toBe("completed");
      const [schema, api] = [state.steps.schema, state.steps.api];
      expect(Date.parse(schema.startedAt)).toBeLessThan(Date.parse(api.finishedAt));
      expect(Date.parse(api.startedAt)).toBeLessThan(Date.parse(schema.finishedAt));
      expect(state.steps.e2e.output.trim()).toBe("e2e: 3 checks passed");
      const docs = readFileSync(join(workspace, "shop/docs/orders.md"), "utf8");
      expect(docs).toContain("`db/migrations/001_create_orders.sql`");
      expect(docs).toContain("Tests: e2e: 3 checks passed");
    });

    it("analyze-refactor: finds the issues, plans, fixes the mechanical ones, tests", async () => {
      const src = join(workspace, "legacy");
      mkdirSync(src);
      writeFileSync(join(src, "util.js"), "function add(a, b) {   \n  return a + b; // TODO: types\n}\n");
      writeFileSync(join(src, "run.sh"), "echo ok\n");
      const result = await cli(swarm.home, ["workflow", "run", "--file", example("analyze-refactor"), "--params", "dir=legacy", "--wait"]);
      expectExit(result, 0);
      expect(result.stdout).toMatch(/analyze\s+completed\s+backend-api\s.*2 source files, 4 lines/);
      expect(result.stdout).toMatch(/identify\s+completed\s+testing\s/);
      expect(readFileSync(join(src, ".refactor/PLAN.md"), "utf8")).toContain("- [auto] strip trailing whitespace in ./util.js");
      expect(readFileSync(join(src, "util.js"), "utf8")).toBe("function add(a, b) {\n  return a + b; // TODO: types\n}\n");
    });

    it("deploy-app: test, build, approval (given here), deploy, verify; `announce` only for production", async () => {
      const app = join(workspace, "webapp");
      mkdirSync(app);
      writeFileSync(join(app, "server.sh"), "echo serving\n");
      const started = await cli(swarm.home, ["workflow", "run", "--file", example("deploy-app"), "--params", "dir=webapp", "version=2.0.0", "env=staging"]);
      expectExit(started, 0);
      const id = started.stdout.trim();
      const waiting = await stateUntil(workflows, id, "the approval", (s) => s.steps.approve?.status === "waiting-approval" || s.status !== "running");
      expect(waiting.steps.approve?.task).toBe(`Deploy webapp 2.0.0 to staging? Artifact: ${app}/dist/webapp-2.0.0.tgz`);
      expectExit(await cli(swarm.home, ["approve", id, "approve"]), 0);
      const watched = await cli(swarm.home, ["monitor", "--execution-id", id]);
      expectExit(watched, 0);
      const done = await workflows.get(id);
      expect(statuses(done)).toEqual({
        test: "completed",
        build: "completed",
        approve: "completed",
        deploy: "completed",
        verify: "completed",
        announce: "skipped",
      });
      expect(readlinkSync(join(app, "deploy/staging/current"))).toBe("releases/webapp-2.0.0");
      expect(existsSync(join(app, "deploy/staging/current/server.sh"))).toBe(true);
      expect(done.steps.verify?.output).toMatch(/^healthy: releases\/webapp-2.0.0/);
    });
  });
});

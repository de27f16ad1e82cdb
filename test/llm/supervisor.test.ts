/**
 * The supervisor's model (supervisor.llm) in a real swarm of shell agents,
 * through real LangChain structured output against our scripted
 * OpenAI-compatible server (plain JSON requests): routing by the model, the
 * keyword fallback on every kind of failure, summaries of results, and what
 * `status` and `doctor` say about it, and planning (`submit --plan`).
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/llm/openai.js";
import type { Script } from "../fixtures/llm/script.js";
import { CLI, startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { cli } from "./support.js";

const KEY_ENV = { ROUTER_TEST_KEY: "router-key-not-real" };

const scripts: Record<string, Script> = {
  "route-beta": () => ({ json: { agent: "beta", reason: "it is about running the test suite" } }),
  "route-500": () => ({ status: 500, error: "the model server is down" }),
  "route-nonsense": () => ({ text: "Hmm, I would say beta, probably." }),
  "route-unknown": () => ({ json: { agent: "gamma", reason: "gamma is best" } }),
  "route-slow": () => ({ delayMs: 4000, json: { agent: "beta", reason: "too late" } }),
  "plan-ok": () => ({
    json: {
      name: "Release It",
      steps: [
        { id: "Run Tests", agent: "beta", task: "echo tests-pass", depends_on: [] },
        { id: "build", agent: "alpha", task: "echo built-after-tests", depends_on: ["Run Tests"] },
      ],
    },
  }),
  "plan-cycle": () => ({
    json: {
      name: "loop",
      steps: [
        { id: "a", agent: "alpha", task: "echo a", depends_on: ["b"] },
        { id: "b", agent: "beta", task: "echo b", depends_on: ["a"] },
      ],
    },
  }),
  "plan-unknown": () => ({ json: { name: "p", steps: [{ id: "x", agent: "gamma", task: "echo x", depends_on: [] }] } }),
  summary: ({ userText }) => ({
    text:
      userText.includes("hello-summary") && userText.includes("Status: completed, exit code 0")
        ? "The agent printed hello-summary and finished cleanly."
        : `unexpected prompt: ${userText}`,
  }),
};

describe("the supervisor's model", () => {
  let llm: OpenAiServer;
  let swarm: TestSwarm;

  beforeAll(async () => {
    llm = await startOpenAiServer({ scripts });
    swarm = await startTestSwarm(
      `
agents:
  - name: alpha
    runtime: shell
    routes: [api, server]
    timeout: 60
  - name: beta
    runtime: shell
    routes: [test, tests]
    timeout: 60
default_agent: alpha
supervisor:
  llm: { base_url: "${llm.url}/v1", model: router-model, api_key_env: ROUTER_TEST_KEY }
  route_timeout: 1
`,
      { env: KEY_ENV },
    );
    process.env.ROUTER_TEST_KEY = KEY_ENV.ROUTER_TEST_KEY; // the SDK client routes in this process
  });
  afterAll(async () => {
    delete process.env.ROUTER_TEST_KEY;
    await swarm?.destroy();
    await llm?.close();
  });

  async function submit(task: string, agent?: string) {
    const client = await swarm.connect();
    return client.submit({ task, ...(agent ? { agent } : {}) });
  }

  it("routes a task without --agent where the model says, with its reason, and the task runs there", async () => {
    // The keywords say alpha (api); the model says beta.
    const handle = await submit("echo routed-by-model # the api tests [[script:route-beta]]");
    expect(handle).toMatchObject({ agent: "beta", routedBy: "llm: it is about running the test suite" });
    const result = await handle.result({ signal: AbortSignal.timeout(20_000) });
    expect(result).toMatchObject({ status: "completed", agent: "beta", output: "routed-by-model\n" });
    const request = llm.requests.filter((r) => r.script === "route-beta").at(-1)!.body as {
      response_format?: { type: string };
      stream?: boolean;
      messages: { content: string }[];
    };
    expect(request.response_format?.type).toBe("json_schema");
    expect(request.stream).toBeFalsy();
    expect(request.messages[0]!.content).toContain("- beta: runs tasks as bash command lines; keywords: test, tests");
    const stored = await swarm.connect().then((c) => c.client.get(handle.id));
    expect(stored.routedBy).toBe("llm: it is about running the test suite");
  });

  it.each([
    ["an HTTP error", "route-500", /^keywords: api \(llm fallback: 500 .*the model server is down.*\)$/],
    ["an answer that is not the schema", "route-nonsense", /^keywords: api \(llm fallback: the model's answer was not the JSON asked for\)$/],
    ["an agent that does not exist", "route-unknown", /^keywords: api \(llm fallback: the model named an unknown agent "gamma"\)$/],
    ["no answer in time", "route-slow", /^keywords: api \(llm fallback: no answer within 1 s\)$/],
  ])("falls back to the keywords on %s, saying why", async (_what, script, routedBy) => {
    const started = Date.now();
    const handle = await submit(`echo fallback # api [[script:${script}]]`);
    expect(handle.agent).toBe("alpha");
    expect(handle.routedBy).toMatch(routedBy);
    expect(Date.now() - started).toBeLessThan(3_500);
    expect((await handle.result({ signal: AbortSignal.timeout(20_000) })).status).toBe("completed");
  });

  it("falls back to the default agent when neither the model nor a keyword decides", async () => {
    const handle = await submit("echo nothing-matches [[script:route-500]]");
    expect(handle).toMatchObject({ agent: "alpha" });
    expect(handle.routedBy).toMatch(/^default \(llm fallback: 500 /);
  });

  it("does not ask the model when --agent names the agent", async () => {
    const before = llm.requests.length;
    const handle = await submit("echo explicit [[script:route-beta]]", "alpha");
    expect(handle).toMatchObject({ agent: "alpha", routedBy: "explicit" });
    expect(llm.requests.length).toBe(before);
  });

  it("summarises a result with `result --summary`", async () => {
    const handle = await submit("echo hello-summary # [[script:summary]]", "beta");
    await handle.result({ signal: AbortSignal.timeout(20_000) });
    const shown = await cli(swarm, ["result", handle.id, "--summary"], KEY_ENV);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("hello-summary");
    expect(shown.stdout).toContain("summary: The agent printed hello-summary and finished cleanly.");
    const json = await cli(swarm, ["result", handle.id, "--summary", "--json"], KEY_ENV);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: handle.id, status: "completed", summary: "The agent printed hello-summary and finished cleanly." });
  });

  it("routes from the CLI, and says in status and doctor that the features are on", async () => {
    const submitted = await cli(swarm, ["submit", "--task", "echo from-cli # [[script:route-beta]]", "--json"], KEY_ENV);
    expect(JSON.parse(submitted.stdout)).toMatchObject({ agent: "beta", routedBy: "llm: it is about running the test suite" });
    const status = await cli(swarm, ["status"], KEY_ENV);
    expect(status.stdout).toContain(`llm: on: router-model at ${llm.url}/v1`);
    const doctor = await cli(swarm, ["doctor", "--json"], KEY_ENV);
    expect(JSON.parse(doctor.stdout).llm).toMatchObject({
      supervisor: { enabled: true },
      endpoints: [{ user: "supervisor", ok: true, detail: `router-model at ${llm.url}/v1: answers` }],
    });
  });

  it("plans a task as a workflow over the agents and runs it with --yes", async () => {
    const planned = await cli(swarm, ["submit", "--task", "Test and build the release [[script:plan-ok]]", "--plan", "--yes", "--wait", "--json"], KEY_ENV);
    expect(planned.exitCode, planned.stderr).toBe(0);
    const out = JSON.parse(planned.stdout);
    expect(out.plan).toMatchObject({
      name: "release-it",
      steps: [
        { id: "run-tests", agent: "beta", task: "echo tests-pass" },
        { id: "build", agent: "alpha", depends_on: ["run-tests"] },
      ],
    });
    expect(out.execution).toMatchObject({
      status: "completed",
      steps: { "run-tests": { status: "completed", agent: "beta" }, build: { status: "completed", agent: "alpha" } },
    });
    expect(Date.parse(out.execution.steps.build.startedAt)).toBeGreaterThanOrEqual(Date.parse(out.execution.steps["run-tests"].finishedAt));
  });

  it("shows a plan but runs nothing unconfirmed when there is no terminal", async () => {
    const before = await swarm.connect().then((c) => c.client.status());
    const shown = await cli(swarm, ["submit", "--task", "Test and build [[script:plan-ok]]", "--plan"], KEY_ENV);
    expect(shown.exitCode).toBe(1);
    expect(shown.stdout).toContain("name: release-it");
    expect(shown.stdout).toContain("- id: run-tests\n    agent: beta\n    task: echo tests-pass");
    expect(shown.stderr).toContain("not run. Run it with `--yes`");
    const after = await swarm.connect().then((c) => c.client.status());
    expect(after.agents.map((a) => a.queue.completed)).toEqual(before.agents.map((a) => a.queue.completed));
  });

  it("asks on a terminal before running a plan", async () => {
    // `script` gives the CLI a terminal; we answer the question through it.
    const command = [process.execPath, CLI, "--home", swarm.home, "submit", "--task", "'Test and build [[script:plan-ok]]'", "--plan", "--wait"].join(" ");
    const child = spawn("script", ["-q", "-e", "-c", command, "/dev/null"], { env: { ...process.env, ...KEY_ENV }, stdio: ["pipe", "pipe", "pipe"] });
    let seen = "";
    let answered = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      seen += chunk;
      if (!answered && seen.includes("Run this plan (2 steps)? [y/N] ")) {
        answered = true;
        child.stdin.write("y\r");
      }
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), 40_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(killer);
    expect(code, seen).toBe(0);
    expect(seen).toContain("name: release-it");
    expect(seen).toMatch(/run-tests +completed +beta/);
    expect(seen).toMatch(/build +completed +alpha/);
  });

  it.each([
    ["a cycle, with its path", "plan-cycle", "plan: steps.0.depends_on: dependency cycle a → b → a"],
    ["an unknown agent", "plan-unknown", 'plan: steps.0.agent: unknown agent "gamma"'],
  ])("refuses a plan with %s, and runs nothing", async (_what, script, problem) => {
    const refused = await cli(swarm, ["submit", "--task", `Loop [[script:${script}]]`, "--plan", "--yes"], KEY_ENV);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(problem);
    expect(refused.stderr).toContain("The model's plan was refused, nothing ran.");
  });

  it("says why the features are off where the key is not set, and routes by keywords there", async () => {
    const env = { ROUTER_TEST_KEY: "" };
    const status = await cli(swarm, ["status"], env);
    expect(status.stdout).toContain("llm: off here: ROUTER_TEST_KEY (supervisor.llm.api_key_env) is not set in this environment");
    const submitted = await cli(swarm, ["submit", "--task", "echo no-key # api [[script:route-beta]]", "--json"], env);
    expect(JSON.parse(submitted.stdout)).toMatchObject({ agent: "alpha" });
    expect(JSON.parse(submitted.stdout).routedBy).toMatch(/^keywords: api \(llm fallback: the variable ROUTER_TEST_KEY .*is not set\)$/);
  });
});

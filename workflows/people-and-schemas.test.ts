/**
 * Input steps, inbox items for waiting steps, and output_schema with follow-up
 * prompts, on the engine with an in-memory store and inbox and a scripted runner.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, UsageError, type InboxAnswer, type NewInboxItem } from "../core/index.js";
import { WorkflowEngine } from "./engine.js";
import type { InboxPort } from "./inbox-items.js";
import { parseWorkflow, workflowFromObject } from "./parse.js";
import { renderShell } from "./shell-render.js";
import { MemoryExecutionStore } from "./store.js";
import { ScriptedRunner } from "./testing/scripted-runner.js";
import type { ExecutionState, Workflow } from "./types.js";

class MemoryInbox implements InboxPort {
  readonly items = new Map<string, NewInboxItem & { status: string; answer?: InboxAnswer; reason?: string }>();
  async open(item: NewInboxItem): Promise<void> {
    if (!this.items.has(item.id)) this.items.set(item.id, { ...item, status: "open" });
  }
  async answer(id: string, answer: InboxAnswer): Promise<void> {
    const item = this.items.get(id);
    if (item?.status !== "open") throw new UsageError(`${id} is not open`);
    Object.assign(item, { status: "answered", answer });
  }
  async withdraw(id: string, reason: string): Promise<boolean> {
    const item = this.items.get(id);
    if (item?.status !== "open") return false;
    Object.assign(item, { status: "withdrawn", reason });
    return true;
  }
  open_(): (NewInboxItem & { status: string })[] {
    return [...this.items.values()].filter((i) => i.status === "open");
  }
}

const wf = (steps: unknown[], params: Record<string, unknown> = {}): Workflow =>
  workflowFromObject({ name: "wf", params, steps }, { file: "wf.yaml", agents: ["a1"] });

function setup(runner = new ScriptedRunner()) {
  const store = new MemoryExecutionStore();
  const inbox = new MemoryInbox();
  const events: string[] = [];
  const engine = new WorkflowEngine({
    store,
    runner,
    inbox,
    escalateAfterMs: 60_000,
    emit: (type, data) => events.push(`${type}:${String(data.step ?? "")}`),
    backoffMs: () => 1,
    pollMs: 10,
  });
  return { engine, store, inbox, runner, events };
}

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("until: timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

const ASK = {
  id: "ask",
  input: {
    text: "Deploying to {{params.env}}",
    questions: [
      { name: "app", prompt: "Which app for {{params.env}}?", choices: ["nginx", "redis"] },
      { name: "port", prompt: "Port?", default: "8080", pattern: "[0-9]+" },
    ],
  },
};

describe("input steps", () => {
  it("wait in the inbox with their questions rendered, and hand the answers to later steps as text and as shell variables", async () => {
    const { engine, store, inbox, runner, events } = setup();
    const run = engine.start(
      wf([ASK, { id: "use", agent: "a1", task: "deploy {{steps.ask.answers.app}} on {{steps.ask.answers.port}}", depends_on: "ask" }], { env: "prod" }),
      {},
      { id: "e-in" },
    );
    await until(() => inbox.open_().length === 1);
    const [item] = inbox.open_();
    expect(item).toMatchObject({
      kind: "input",
      text: "Deploying to prod",
      escalateAfterMs: 60_000,
      source: { type: "workflow", executionId: "e-in", workflow: "wf", step: "ask" },
    });
    expect(item?.questions?.map((q) => q.prompt)).toEqual(["Which app for prod?", "Port?"]);
    expect((await store.get("e-in"))?.steps.ask).toMatchObject({ status: "waiting-input", inbox: item?.id });
    await expect(engine.approve("e-in", "ask")).rejects.toThrow('step "ask" is waiting-input, not waiting for approval');
    await expect(engine.answer("e-in", "ask", { values: { colour: "red" }, by: "t" })).rejects.toThrow("unknown answer colour (the step asks app, port)");
    await engine.answer("e-in", "ask", { values: { app: "nginx", port: "9000" }, by: "tester" });
    const state = await run;
    expect(state.status).toBe("completed");
    expect(state.steps.ask).toMatchObject({ answers: { app: "nginx", port: "9000" }, output: '{"app":"nginx","port":"9000"}' });
    expect(runner.callsOf("use")[0]?.req.task).toBe("deploy nginx on 9000");
    expect(inbox.items.get(item?.id ?? "")).toMatchObject({ status: "answered", answer: { values: { app: "nginx", port: "9000" }, by: "tester" } });
    expect(events).toContain("step.waiting-input:ask");
    await expect(engine.answer("e-in", "ask", { values: { app: "redis" }, by: "late" })).rejects.toThrow(UsageError);
  });

  it("a shell step reads an answer from CA_STEP_<ID>_ANSWER_<NAME>, never from its script", () => {
    const shell = renderShell("echo {{steps.ask.answers.app}}", {
      params: {},
      steps: { ask: { output: "", exitCode: 0, answers: { app: '"; rm -rf ~; echo "' } } },
    });
    expect(shell).toEqual({ text: 'echo "${CA_STEP_ASK_ANSWER_APP?}"', env: { CA_STEP_ASK_ANSWER_APP: '"; rm -rf ~; echo "' } });
  });

  it("approval steps get an inbox item too; a cancel withdraws what is still open", async () => {
    const { engine, inbox } = setup();
    const run = engine.start(wf([{ id: "ok", approval: "Ship it?", escalate_after: "5m" }]), {}, { id: "e-ap" });
    await until(() => inbox.open_().length === 1);
    expect(inbox.open_()[0]).toMatchObject({ kind: "approval", title: "wf/ok: Ship it?", escalateAfterMs: 300_000 });
    await engine.cancel("e-ap", "changed my mind");
    await run;
    expect([...inbox.items.values()][0]).toMatchObject({ status: "withdrawn", reason: 'execution cancelled: step "ok" is cancelled' });
  });

  it("are validated: answers of steps that are not input steps, or questions that do not exist, are refused", () => {
    const problems = (steps: unknown[]): string[] => {
      try {
        wf(steps, { env: "prod" });
        return [];
      } catch (error) {
        return error instanceof ConfigError ? [...error.problems] : [String(error)];
      }
    };
    expect(problems([ASK, { id: "b", agent: "a1", task: "{{steps.ask.answers.colour}} {{steps.ask.json.x}}", depends_on: "ask" }])).toEqual([
      'wf.yaml: steps.1.task: {{steps.ask.answers.colour}}: step "ask" asks no question "colour" (it asks app, port)',
      'wf.yaml: steps.1.task: {{steps.ask.json.x}}: step "ask" has no output_schema, so its output is not known to be JSON',
    ]);
    expect(
      problems([
        {
          id: "q",
          input: {
            questions: [
              { name: "a", prompt: "?", choices: ["x"], default: "y" },
              { name: "a", prompt: "again" },
            ],
          },
        },
      ]),
    ).toEqual(['wf.yaml: steps.0.input.questions.0.default: "y" is not one of the choices', 'wf.yaml: steps.0.input.questions.1.name: "a" is asked twice']);
    expect(problems([{ id: "q", input: { questions: [{ name: "a", prompt: "?" }] }, agent: "a1" }])).toEqual([
      "wf.yaml: steps.0.agent: not allowed on an input step",
    ]);
  });
});

const dir = mkdtempSync(join(tmpdir(), "ca-schema-"));
writeFileSync(
  join(dir, "spec.schema.json"),
  JSON.stringify({
    type: "object",
    required: ["hosts"],
    additionalProperties: false,
    properties: {
      hosts: { type: "array", minItems: 1, items: { type: "object", required: ["name"], properties: { name: { type: "string" }, port: { type: "integer" } } } },
    },
  }),
);
const SPEC_STEP = { id: "spec", agent: "a1", task: "write the spec", output_schema: "spec.schema.json", schema_retries: 2 };
const load = (steps: unknown[]): Workflow => parseWorkflow(JSON.stringify({ name: "wf", steps }), { file: join(dir, "wf.yaml"), agents: ["a1"] });

describe("output_schema", () => {
  it("sends the validation errors back as a follow-up prompt until the output passes, then later steps read its fields", async () => {
    const runner = new ScriptedRunner()
      .on("spec", "step", { output: "Here you go: hosts are web1" })
      .on("spec", "fix", { output: '{"hosts":[{"name":7}]}' }, { output: 'Sure:\n```json\n{"hosts":[{"name":"web1","port":8080}]}\n```' });
    const { engine, events } = setup(runner);
    const state: ExecutionState = await engine.start(
      load([
        SPEC_STEP,
        {
          id: "use",
          agent: "a1",
          task: "configure {{steps.spec.json.hosts.0.name}}:{{steps.spec.json.hosts.0.port}} from {{steps.spec.json}}",
          depends_on: "spec",
        },
      ]),
    );
    expect(state.status).toBe("completed");
    const fixes = runner.callsOf("spec", "fix");
    expect(fixes).toHaveLength(2);
    expect(fixes[0]?.req.task).toContain("- the output is not a JSON document");
    expect(fixes[0]?.req.task).toContain("Here you go: hosts are web1");
    expect(fixes[1]?.req.task).toContain("- /hosts/0/name: must be string");
    expect(fixes.map((c) => c.req.idempotencyKey.split(":").slice(3).join(":"))).toEqual(["fix1:1", "fix2:1"]);
    expect(state.steps.spec).toMatchObject({ json: { hosts: [{ name: "web1", port: 8080 }] }, fixes: 2, schemaErrors: null });
    expect(runner.callsOf("use")[0]?.req.task).toBe('configure web1:8080 from {"hosts":[{"name":"web1","port":8080}]}');
    expect(events.filter((e) => e.startsWith("step.schema-retry"))).toHaveLength(2);
  });

  it("fails the attempt once schema_retries are used up, saying what the schema found", async () => {
    const runner = new ScriptedRunner().on("spec", "step", { output: "{}" }).on("spec", "fix", { output: '{"hosts":[]}' });
    const { engine } = setup(runner);
    const state = await engine.start(load([SPEC_STEP]));
    expect(state.status).toBe("failed");
    expect(state.steps.spec?.reason).toBe("output does not match output_schema after 2 follow-ups: /hosts: must NOT have fewer than 1 items");
  });

  it("a shell step gets JSON fields as CA_STEP_<ID>_JSON_<PATH> variables, and two paths that would share a variable are refused", () => {
    const ctx = { params: {}, steps: { spec: { output: "", exitCode: 0, json: { hosts: [{ name: "$(reboot)" }] } } } };
    expect(renderShell("ping -c1 {{steps.spec.json.hosts.0.name}}", ctx)).toEqual({
      text: 'ping -c1 "${CA_STEP_SPEC_JSON_HOSTS_0_NAME?}"',
      env: { CA_STEP_SPEC_JSON_HOSTS_0_NAME: "$(reboot)" },
    });
    expect(() => renderShell("echo {{steps.spec.json.a_b}} {{steps.spec.json.a.b}}", ctx)).toThrow(
      "{{steps.spec.json.a_b}} and {{steps.spec.json.a.b}} would both be CA_STEP_SPEC_JSON_A_B in a shell step",
    );
    expect(() => load([SPEC_STEP, { id: "u", agent: "a1", task: "echo {{steps.spec.json.hosts.0.nmae}}", depends_on: "spec" }])).toThrow(
      `the output_schema of "spec" (${join(dir, "spec.schema.json")}) has no field hosts.0.nmae`,
    );
  });

  it("a schema file that is missing or not a JSON Schema is refused when the workflow is loaded", () => {
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ type: "nonsense" }));
    expect(() => load([{ ...SPEC_STEP, output_schema: "missing.json" }])).toThrow(
      `steps.0.output_schema: cannot read the schema ${join(dir, "missing.json")}: no such file`,
    );
    expect(() => load([{ ...SPEC_STEP, output_schema: "bad.json" }])).toThrow(/steps\.0\.output_schema: .*bad\.json is not a valid JSON Schema/);
  });
});

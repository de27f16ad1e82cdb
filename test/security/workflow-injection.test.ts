/**
 * Issue 11, finding 1: workflow params and step outputs never become shell code.
 * Each attack runs a real workflow on real shell agents (redis-server + tmux):
 * a value that closes a double quote, a `$(…)`, backquotes, one that closes a
 * single quote, and a newline that ends a `#` comment line, templated into a
 * task, a gate and a rollback in every quoting context. Every attack touches a
 * marker file of its own; none may exist afterwards, and every step must have
 * seen the value as it is.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { WorkflowClient } from "../../workflows/index.js";
import { SHELL_AGENTS, startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { cli, expectExit, runToEnd, workflowFile } from "../workflows/support.js";

describe("workflow templates cannot inject shell code (issue 11, finding 1)", { timeout: 180_000 }, () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let dir: string;
  let markers: string;
  beforeAll(async () => {
    swarm = await startTestSwarm(SHELL_AGENTS);
    client = await swarm.connect();
    dir = mkdtempSync(join(tmpdir(), "ca-wfsec-"));
    markers = mkdtempSync(join(tmpdir(), "ca-pwned-"));
  });
  afterAll(async () => {
    await client?.close();
    await swarm?.destroy();
    rmSync(dir, { recursive: true, force: true });
    rmSync(markers, { recursive: true, force: true });
  });

  /** Each attack of the finding, touching a marker named after it. */
  const attacks = (tag: string) => ({
    dq: `bob"; touch ${markers}/${tag}-dq; echo "`,
    sub: `$(touch ${markers}/${tag}-sub)`,
    nl: `x\ntouch ${markers}/${tag}-nl`,
    sq: `'; touch ${markers}/${tag}-sq; echo '`,
    bq: `\`touch ${markers}/${tag}-bq\``,
  });

  it("no param or step output runs, in any quoting context of a task, a gate or a rollback, and each step sees the value itself", async () => {
    const p = attacks("param");
    const o = attacks("output");
    // What the first step prints: every attack at once, over two lines (trailing newlines are dropped).
    const out = `${o.dq} ${o.sub} ${o.bq} ${o.sq}\ntouch ${markers}/output-nl2`;
    const payload = join(dir, "payload.txt");
    writeFileSync(payload, `${out}\n\n`);
    const file = workflowFile(
      dir,
      `
name: attacks
params: { dq: { required: true }, sub: { required: true }, nl: { required: true }, sq: { required: true }, bq: { required: true } }
steps:
  - id: fetch
    agent: alpha
    task: cat ${payload}
  - id: quoted
    agent: alpha
    depends_on: fetch
    task: |
      echo "hello {{steps.fetch.output}} {{params.dq}} {{params.sub}} {{params.bq}}"
  - id: bare
    agent: beta
    depends_on: fetch
    task: |
      printf '[%s]' {{steps.fetch.output}} {{params.sub}} {{params.bq}} {{params.dq}}
  - id: single
    agent: alpha
    depends_on: fetch
    task: |
      echo 'v={{params.sq}} {{steps.fetch.output}}'
  - id: comment
    agent: beta
    depends_on: fetch
    task: |
      # note: {{params.nl}} {{steps.fetch.output}}
      echo comment-ok
  - id: heredoc
    agent: alpha
    depends_on: fetch
    task: |
      cat <<'EOF'
      {{params.nl}}
      {{steps.fetch.output}}
      EOF
  - id: gated
    agent: beta
    depends_on: fetch
    task: echo gated
    gate: |
      printf '%s|' "{{params.dq}}" {{params.sub}} '{{params.sq}}' "{{steps.fetch.output}}" "{{steps.gated.output}}"
  - id: undo
    agent: alpha
    depends_on: [quoted, bare, single, comment, heredoc, gated]
    task: echo undo-me
    rollback:
      task: |
        # roll back {{params.nl}}
        printf '%s|' "{{params.dq}}" {{params.bq}} '{{params.sq}}' {{steps.fetch.output}} "{{steps.undo.output}}"
  - id: boom
    agent: beta
    depends_on: undo
    on_failure: rollback
    task: exit 3
`,
    );
    const state = await runToEnd(swarm.home, file, [`dq=${p.dq}`, `sub=${p.sub}`, `nl=${p.nl}`, `sq=${p.sq}`, `bq=${p.bq}`]);
    expect(readdirSync(markers), "attacks that ran").toEqual([]);
    expect(state.status).toBe("failed");
    const output = (id: string): string | undefined => state.steps[id]?.output;
    expect(output("quoted")).toBe(`hello ${out} ${p.dq} ${p.sub} ${p.bq}\n`);
    expect(output("bare")).toBe(`[${out}][${p.sub}][${p.bq}][${p.dq}]`);
    expect(output("single")).toBe(`v=${p.sq} ${out}\n`);
    expect(output("comment")).toBe("comment-ok\n");
    expect(output("heredoc")).toBe(`${p.nl}\n${out}\n`);
    expect(state.steps.gated?.gate).toMatchObject({ status: "completed", output: `${p.dq}|${p.sub}|${p.sq}|${out}|gated|` });
    expect(state.steps.undo?.rollback).toMatchObject({ status: "completed", output: `${p.dq}|${p.bq}|${p.sq}|${out}|undo-me|` });
    // The script holds references; the values travel beside it, in the task's own environment.
    const quoted = await client.client.get(state.steps.quoted!.taskId!);
    expect(quoted.task).toBe('echo "hello ${CA_STEP_FETCH_OUTPUT?} ${CA_PARAM_DQ?} ${CA_PARAM_SUB?} ${CA_PARAM_BQ?}"');
    expect(quoted.env).toEqual({ CA_STEP_FETCH_OUTPUT: out, CA_PARAM_DQ: p.dq, CA_PARAM_SUB: p.sub, CA_PARAM_BQ: p.bq });
  });

  it("a step's values reach its own task only: the pane's shell and the next task there never see them", async () => {
    const file = workflowFile(
      dir,
      `
name: scoped
params: { secret: { default: "s3cr3t" } }
steps:
  - { id: a, agent: beta, task: 'echo "a={{params.secret}}"' }
  - { id: b, agent: beta, depends_on: a, task: 'echo "b=\${CA_PARAM_SECRET-unset}"' }
`,
    );
    const state = await runToEnd(swarm.home, file);
    expect(state.steps.a?.output).toBe("a=s3cr3t\n");
    // b never mentions the param, so it gets no variable: not from a, not from its pane.
    expect(state.steps.b?.output).toBe("b=unset\n");
    const plain = await (await client.submit({ task: 'echo "[${CA_PARAM_SECRET-unset}]"', agent: "beta" })).result();
    expect(plain.output).toBe("[unset]\n");
  });

  it("--params: one value never sets another param (a,b=2 is one value; one that would set a param of the workflow is refused)", async () => {
    const file = workflowFile(
      dir,
      `
name: params
params: { branch: { required: true }, env: { default: staging } }
steps:
  - { id: show, agent: alpha, task: 'printf "%s|%s" "{{params.env}}" "{{params.branch}}"' }
`,
    );
    const state = await runToEnd(swarm.home, file, ["branch=feature,x=1"]);
    expect(state.params).toEqual({ branch: "feature,x=1", env: "staging" });
    expect(state.steps.show?.output).toBe("staging|feature,x=1");
    const refused = await cli(swarm.home, ["workflow", "run", "--file", file, "--params", "branch=x,env=production"]);
    expectExit(refused, 2);
    expect(refused.stderr).toContain('--params: the value of "branch" contains ",env=": give each param as a word of its own');
  });

  it("workflow validate warns, and run refuses, a template that a shell would run whatever its quoting, with the step's path", async () => {
    const file = workflowFile(
      dir,
      `
name: unsafe
params: { x: { default: "true" } }
steps:
  - { id: name, agent: alpha, task: '{{params.x}} --version' }
  - { id: evals, agent: alpha, task: echo ok, gate: 'eval "{{params.x}}"' }
  - { id: math, agent: alpha, task: 'echo $(( {{params.x}} + 1 ))' }
  - id: back
    agent: alpha
    task: echo ok
    rollback: { task: 'echo \`echo {{params.x}}\`' }
  - { id: piped, agent: alpha, task: 'echo "{{params.x}}" | bash' }
`,
    );
    const validated = await cli(swarm.home, ["workflow", "validate", file]);
    expectExit(validated, 0);
    expect(validated.stderr).toContain(`warning: ${file}: steps.0.task: {{params.x}} is used as a command name`);
    expect(validated.stderr).toContain(`warning: ${file}: steps.1.gate: {{params.x}} is run as code by eval`);
    expect(validated.stderr).toContain(`warning: ${file}: steps.2.task: {{params.x}} is inside an arithmetic expression`);
    expect(validated.stderr).toContain(`warning: ${file}: steps.3.rollback.task: {{params.x}} is inside backquotes`);
    expect(validated.stderr).toContain(`warning: ${file}: steps.4.task: {{params.x}} is fed to bash`);
    const workflows = new WorkflowClient(client.client);
    const before = (await workflows.list()).length;
    const run = await cli(swarm.home, ["workflow", "run", "--file", file]);
    expectExit(run, 2);
    expect(run.stderr).toContain(`${file}: steps.0.task: {{params.x}} is used as a command name`);
    expect((await workflows.list()).length).toBe(before);
  });
});

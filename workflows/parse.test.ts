import { describe, expect, it } from "vitest";
import { ConfigError, UsageError } from "../core/index.js";
import { parseWorkflow, workflowFromObject } from "./parse.js";
import { resolveParams } from "./params.js";

const AGENTS = ["testing", "backend-api", "deployment"];
const EXAMPLE = `
name: deploy-app
params: { env: { default: staging }, repo: { required: true } }
steps:
  - id: test
    agent: testing
    task: "npm test"
    timeout: 900
    retries: 2
  - id: build
    agent: backend-api
    task: "docker build -t app:{{params.env}} ."
    depends_on: [test]
    gate: "test -f dist/index.js"
  - id: approve
    approval: "Deploy to {{params.env}}?"
    depends_on: [build]
  - id: deploy
    agent: deployment
    task: "./deploy.sh {{params.env}}"
    depends_on: [approve]
    when: "{{params.env}} != 'dev'"
    on_failure: rollback
    rollback: { agent: deployment, task: "./rollback.sh {{params.env}}" }
`;

/** The problems a parse reports, or [] when it passes. */
function problems(text: string, agents: readonly string[] = AGENTS): readonly string[] {
  try {
    parseWorkflow(text, { file: "deploy.yaml", agents });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

/** Two-step workflow with `extra` spliced into the second step. */
function twoSteps(second: string, params = ""): string {
  return `name: w\n${params}steps:\n  - id: test\n    agent: testing\n    task: t\n  - id: build\n    agent: backend-api\n${second}`;
}

describe("parseWorkflow", () => {
  it("normalizes the documented example into a readonly workflow", () => {
    const wf = parseWorkflow(EXAMPLE, { file: "deploy.yaml", agents: AGENTS });
    expect(wf.name).toBe("deploy-app");
    expect(wf.source).toBe("deploy.yaml");
    expect(wf.params).toEqual([
      { name: "env", required: false, default: "staging" },
      { name: "repo", required: true },
    ]);
    expect(wf.steps.map((s) => [s.id, s.kind, s.dependsOn])).toEqual([
      ["test", "task", []],
      ["build", "task", ["test"]],
      ["approve", "approval", ["build"]],
      ["deploy", "task", ["approve"]],
    ]);
    expect(wf.steps[0]).toMatchObject({ agent: "testing", timeoutSec: 900, retries: 2, onFailure: "fail" });
    expect(wf.steps[1]).toMatchObject({ gate: "test -f dist/index.js", retries: 0 });
    expect(wf.steps[2]).toMatchObject({ approval: "Deploy to {{params.env}}?" });
    expect(wf.steps[3]).toMatchObject({
      when: "{{params.env}} != 'dev'",
      onFailure: "rollback",
      rollback: { agent: "deployment", task: "./rollback.sh {{params.env}}" },
    });
    expect(Object.isFrozen(wf.steps[3])).toBe(true);
  });

  it("rejects a step naming an agent that is not configured", () => {
    expect(problems(EXAMPLE.replace("agent: testing", "agent: tst"))).toEqual([
      'deploy.yaml: steps.0.agent: unknown agent "tst" (known: testing, backend-api, deployment)',
    ]);
  });

  it("checks rollback agents too", () => {
    expect(problems(EXAMPLE.replace("rollback: { agent: deployment", "rollback: { agent: nobody"))).toEqual([
      expect.stringMatching(/^deploy\.yaml: steps\.3\.rollback\.agent: unknown agent "nobody"/),
    ]);
  });

  it("rejects depends_on naming an unknown step, with the path of the entry", () => {
    expect(problems(twoSteps("    task: b\n    depends_on: [tset]\n"))).toEqual(['deploy.yaml: steps.1.depends_on.0: unknown step "tset"']);
  });

  it("rejects a template that uses a step which is not a transitive dependency", () => {
    expect(problems(twoSteps('    task: "echo {{steps.test.output}}"\n'))).toEqual([
      'deploy.yaml: steps.1.task: {{steps.test.output}} uses step "test", which "build" does not depend on (add it to depends_on)',
    ]);
    const text = `name: w
steps:
  - { id: a, agent: testing, task: x }
  - { id: b, agent: testing, task: y, depends_on: [a] }
  - { id: c, agent: testing, task: "{{steps.a.exitCode}}", depends_on: [b], gate: "grep ok {{ steps.c.output }}" }
`;
    expect(problems(text)).toEqual([]);
  });

  it("rejects templates naming unknown steps or params, and malformed tags", () => {
    expect(problems(twoSteps('    task: "{{params.nope}} {{steps.ghost.output}} {{ env }}"\n    depends_on: [test]\n'))).toEqual([
      'deploy.yaml: steps.1.task: unknown param "nope" in {{params.nope}}',
      'deploy.yaml: steps.1.task: unknown step "ghost" in {{steps.ghost.output}}',
      "deploy.yaml: steps.1.task: invalid template reference {{ env }} (expected {{params.NAME}}, {{steps.ID.output}}, {{steps.ID.exitCode}}, {{steps.ID.answers.NAME}} or {{steps.ID.json.PATH}})",
    ]);
  });

  it("reports a cycle with its path", () => {
    const text = `name: w
steps:
  - { id: test, agent: testing, task: t, depends_on: [build] }
  - { id: build, agent: testing, task: b, depends_on: [test] }
  - { id: solo, agent: testing, task: s, depends_on: [solo] }
`;
    expect(problems(text)).toEqual([
      "deploy.yaml: steps.0.depends_on: dependency cycle test → build → test",
      "deploy.yaml: steps.2.depends_on: dependency cycle solo → solo",
    ]);
  });

  it("reports every problem of a file at once, shape and rules together", () => {
    const text = `name: bad name
params: { env: { default: x, required: true } }
steps:
  - { id: a, agent: tst, task: "{{params.region}}", retries: -1 }
  - { id: b, agent: testing, task: x, depends_on: [tset, c] }
  - { id: c, agent: testing, route: r, task: y, depends_on: [b], colour: red }
  - { id: d, approval: ok?, agent: testing, when: "{{params.env}} == a == b" }
  - { id: e, agent: testing, depends_on: [b] }
`;
    expect(problems(text)).toEqual([
      "deploy.yaml: name: must be letters, digits, '.', '_' or '-'",
      "deploy.yaml: params.env: a required param cannot have a default",
      'deploy.yaml: steps.0.agent: unknown agent "tst" (known: testing, backend-api, deployment)',
      "deploy.yaml: steps.0.retries: Number must be greater than or equal to 0",
      'deploy.yaml: steps.0.task: unknown param "region" in {{params.region}}',
      "deploy.yaml: steps.1.depends_on: dependency cycle b → c → b",
      'deploy.yaml: steps.1.depends_on.0: unknown step "tset"',
      "deploy.yaml: steps.2.colour: unknown field",
      "deploy.yaml: steps.3.agent: not allowed on an approval step",
      "deploy.yaml: steps.3.when: more than one comparison (only A == B or A != B)",
      "deploy.yaml: steps.4.task: required",
    ]);
  });

  it("still applies the rules to a step that has a malformed field", () => {
    const text = `name: w
steps:
  - { id: a, agent: testing, task: x }
  - { id: b, agent: nobody, task: "{{ steps.a.output }}", timeout: soon, bogus: 1 }
`;
    expect(problems(text)).toEqual([
      'deploy.yaml: steps.1.agent: unknown agent "nobody" (known: testing, backend-api, deployment)',
      "deploy.yaml: steps.1.bogus: unknown field",
      'deploy.yaml: steps.1.task: {{ steps.a.output }} uses step "a", which "b" does not depend on (add it to depends_on)',
      "deploy.yaml: steps.1.timeout: Expected number, received string",
    ]);
  });

  it("requires exactly one of agent, route or approval on a step", () => {
    const text = `name: w
steps:
  - { id: a, task: x }
  - { id: b, agent: testing, route: "build things", task: x }
  - { id: c, route: "build things", task: x }
  - { id: a, agent: testing, task: y }
`;
    expect(problems(text)).toEqual([
      "deploy.yaml: steps.0: needs one of agent, route, needs, approval or input",
      "deploy.yaml: steps.1.route: give agent or route, not both",
      'deploy.yaml: steps.3.id: duplicate step id "a" (also steps.0)',
    ]);
  });

  it("reports YAML syntax errors with their line", () => {
    const found = problems("name: w\nsteps:\n  - id: a\n   agent: [x\n");
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatch(/^deploy\.yaml: line \d+, column \d+: /);
  });

  it("accepts shorthands: a scalar param default, a string depends_on, a boolean when", () => {
    const wf = workflowFromObject(
      {
        name: "w",
        params: { n: 3 },
        steps: [
          { id: "a", route: "tests", task: "t", when: false },
          { id: "b", agent: "testing", task: "{{params.n}}", depends_on: "a", on_failure: "continue" },
        ],
      },
      { file: "<inline>", agents: AGENTS },
    );
    expect(wf.params).toEqual([{ name: "n", required: false, default: "3" }]);
    expect(wf.steps[0]).toMatchObject({ route: "tests", when: "false" });
    expect(wf.steps[1]).toMatchObject({ dependsOn: ["a"], onFailure: "continue" });
  });
});

describe("resolveParams", () => {
  const wf = parseWorkflow(EXAMPLE, { file: "deploy.yaml", agents: AGENTS });

  it("fills defaults and keeps given values", () => {
    expect(resolveParams(wf, { repo: "r" })).toEqual({ env: "staging", repo: "r" });
    expect(resolveParams(wf, { repo: "r", env: "prod" })).toEqual({ env: "prod", repo: "r" });
  });

  it("rejects missing required and unknown params in one UsageError", () => {
    expect(() => resolveParams(wf, { region: "eu" })).toThrow(UsageError);
    expect(() => resolveParams(wf, { region: "eu" })).toThrow('unknown param "region" (workflow "deploy-app" takes: env, repo); missing required param "repo"');
  });
});

describe("names of the variables shell steps read", () => {
  it("refuses params, or step ids, that would be the same variable (CA_PARAM_MY_ENV), with both names", () => {
    expect(
      problems(`
name: clash
params: { my-env: a, my_env: b, ENV: c, env: d }
steps:
  - { id: build-1, agent: testing, task: "true" }
  - { id: build_1, agent: testing, task: "true" }
`),
    ).toEqual([
      'deploy.yaml: params.env: "env" and "ENV" would both be CA_PARAM_ENV in a shell step: rename one',
      'deploy.yaml: params.my_env: "my_env" and "my-env" would both be CA_PARAM_MY_ENV in a shell step: rename one',
      'deploy.yaml: steps.1.id: "build_1" and "build-1" would both be CA_STEP_BUILD_1_OUTPUT in a shell step: rename one',
    ]);
  });
});

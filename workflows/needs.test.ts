import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/index.js";
import { agentLabels, parseWorkflow } from "./parse.js";
import { renderRun, stepTarget } from "./render-step.js";
import type { TaskStep } from "./types.js";

/** Two hosts and two agents, as in docs/MULTI-HOST.md: api spans both hosts (only linux in common), trainer sits on the gpu host. */
const CONFIG = {
  hosts: [
    { name: "build-1", ssh: null, labels: ["linux", "docker"] },
    { name: "gpu-1", ssh: null, labels: ["linux", "gpu"] },
  ],
  agents: [
    { name: "api", replicas: 2, hosts: ["build-1", "gpu-1"] },
    { name: "trainer", replicas: 1, hosts: ["gpu-1"], labels: ["cuda"] },
  ],
} as unknown as Parameters<typeof agentLabels>[0];
const LABELS = agentLabels(CONFIG);

/** `labels` null: no swarm config at hand, labels not checked. */
function problems(steps: string, labels: ReadonlyMap<string, readonly string[]> | null = LABELS): readonly string[] {
  try {
    parseWorkflow(`name: w\nsteps:\n${steps}`, { file: "wf.yaml", agents: ["api", "trainer"], labels: labels ?? undefined });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe("needs: on a workflow step", () => {
  it("accepts a step whose only target is needs, and keeps the labels on the step", () => {
    const wf = parseWorkflow("name: w\nsteps:\n  - { id: train, needs: [gpu, cuda], task: python train.py }\n", {
      file: "wf.yaml",
      agents: ["api", "trainer"],
      labels: LABELS,
    });
    expect(wf.steps[0]).toMatchObject({ kind: "task", needs: ["gpu", "cuda"] });
    expect(stepTarget(wf.steps[0] as TaskStep)).toEqual({ route: "", needs: ["gpu", "cuda"] });
  });

  it("refuses a step naming an agent that lacks a label it needs, naming the step and the agent's labels", () => {
    expect(problems("  - { id: train, agent: api, needs: [gpu], task: x }\n")).toEqual([
      'wf.yaml: steps.0.needs: step "train" names agent "api", which does not have every label it needs (gpu); api: linux',
    ]);
    expect(problems("  - { id: train, agent: trainer, needs: [gpu], task: x }\n")).toEqual([]);
  });

  it("refuses needs no agent has all of, listing every agent's labels", () => {
    expect(problems("  - { id: a, agent: api, task: x }\n  - { id: ship, route: deploy, needs: [gpu, docker], task: x }\n")).toEqual([
      'wf.yaml: steps.1.needs: no agent has every label step "ship" needs (gpu, docker); labels of the agents: api: linux; trainer: cuda, gpu, linux',
    ]);
  });

  it("checks each label's shape, and skips the agents' labels when none are known", () => {
    expect(problems("  - { id: a, needs: [GPU, linux], task: x }\n")).toEqual([
      "wf.yaml: steps.0.needs.0: expected a label of lowercase letters, digits, '.', '_' and '-' (at most 48, starting with a letter or digit), got \"GPU\"",
    ]);
    expect(problems("  - { id: a, needs: [], task: x }\n")).toEqual(["wf.yaml: steps.0.needs: list at least one label (or leave needs out)"]);
    expect(problems("  - { id: a, needs: [tpu], task: x }\n", null)).toEqual([]);
  });

  it("is not allowed on approval and input steps", () => {
    expect(problems('  - { id: a, approval: "ok?", needs: [gpu] }\n')).toEqual(["wf.yaml: steps.0.needs: not allowed on an approval step"]);
  });

  it("hands the labels to the runner with the agent it resolved, so the swarm checks them again at submit", () => {
    const runner = { run: () => Promise.reject(new Error("unused")), resolve: () => ({ agent: "trainer", mode: "shell" as const }) };
    expect(renderRun(runner, { route: "", needs: ["gpu"] }, "nvidia-smi", { params: {}, steps: {} } as never).where).toEqual({
      agent: "trainer",
      needs: ["gpu"],
    });
  });
});

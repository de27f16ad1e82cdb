import { describe, expect, it } from "vitest";
import { NotFoundError, parseConfig, UsageError } from "../core/index.js";
import { routeTask } from "./router.js";

const config = parseConfig(
  `
hosts:
  build-1: { labels: [linux, docker] }
  gpu-1:   { labels: [linux, gpu] }
agents:
  - { name: backend-api, runtime: shell, replicas: 2, routes: [api], hosts: [build-1, gpu-1] }
  - { name: trainer,     runtime: shell, routes: [train], hosts: [gpu-1] }
  - { name: notebook,    runtime: shell, routes: [plot], hosts: [gpu-1], labels: [jupyter] }
default_agent: backend-api
`,
  { file: "/nowhere/swarm.yaml", baseDir: "/" },
);

describe("routing a task that needs labels", () => {
  it("goes to an agent having all of them, chosen among those by keywords, else the first listed", () => {
    expect(routeTask("python train.py", config, undefined, ["gpu"])).toEqual({ agent: "trainer", routedBy: "labels: gpu; keywords: train" });
    expect(routeTask("plot the loss", config, undefined, ["gpu"])).toEqual({ agent: "notebook", routedBy: "labels: gpu; keywords: plot" });
    expect(routeTask("nvidia-smi", config, undefined, ["gpu"])).toEqual({ agent: "trainer", routedBy: "labels: gpu" });
    expect(routeTask("make", config, undefined, ["linux"])).toEqual({ agent: "backend-api", routedBy: "labels: linux; default" });
  });

  it("never goes to an agent one of whose hosts lacks a label, though keywords or the default point there", () => {
    expect(routeTask("api on gpu", config, undefined, ["gpu"]).agent).toBe("trainer");
  });

  it("refuses, listing every agent's labels, when no agent has them all", () => {
    const error = (() => {
      try {
        routeTask("python train.py", config, undefined, ["gpu", "docker"]);
      } catch (e) {
        return e;
      }
    })() as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe("no agent has every label this task needs (gpu, docker)");
    expect(error.hint).toContain("backend-api: linux\n  trainer: gpu, linux\n  notebook: gpu, jupyter, linux");
  });

  it("refuses a named agent without the labels, and names an unknown agent as unknown", () => {
    expect(() => routeTask("x", config, "backend-api", ["gpu"])).toThrow('agent "backend-api" does not have every label this task needs (gpu)');
    expect(() => routeTask("x", config, "nope", ["gpu"])).toThrow(NotFoundError);
    expect(routeTask("x", config, "trainer", ["gpu"])).toEqual({ agent: "trainer", routedBy: "explicit; labels: gpu" });
  });
});

import { describe, expect, it } from "vitest";
import { configTemplate, parseConfig } from "./index.js";

const options = { file: "/project/swarm.yaml", baseDir: "/project" };

describe("configTemplate", () => {
  it("loads with parseConfig without a single problem", () => {
    expect(() => parseConfig(configTemplate(), options)).not.toThrow();
  });

  it("declares the specialist roster as single shell agents, defaulting to backend-api", () => {
    const config = parseConfig(configTemplate(), options);
    expect(config.agents.map((agent) => agent.name)).toEqual(["backend-api", "frontend-ui", "database", "testing", "deployment"]);
    expect(config.agents.every((agent) => agent.runtime === "shell" && agent.replicas === 1)).toBe(true);
    expect(config.defaultAgent).toBe("backend-api");
  });

  it("gives each specialist its routing keywords, none shared between two agents", () => {
    const routes = Object.fromEntries(parseConfig(configTemplate(), options).agents.map((agent) => [agent.name, agent.routes]));
    expect(routes["backend-api"]).toEqual(["api", "endpoint", "server", "backend", "auth"]);
    expect(routes["frontend-ui"]).toEqual(["ui", "frontend", "css", "component", "page"]);
    expect(routes.database).toEqual(["database", "schema", "migration", "sql", "db"]);
    expect(routes.testing).toEqual(["test", "tests", "e2e", "coverage"]);
    expect(routes.deployment).toEqual(["deploy", "release", "docker", "ci"]);
    const all = Object.values(routes).flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it("explains every field in a comment", () => {
    const comments = configTemplate()
      .split("\n")
      .filter((line) => line.trimStart().startsWith("#"))
      .join("\n");
    for (const field of [
      "name",
      "runtime",
      "replicas",
      "cwd",
      "routes",
      "env",
      "timeout",
      "mode",
      "command",
      "model",
      "args",
      "worktree",
      "commit",
      "gate",
      "gate_retries",
      "default_agent",
    ]) {
      expect(comments).toMatch(new RegExp(`\\b${field}\\b`));
    }
  });
});

describe("configTemplate's commented agent example", () => {
  it("loads once uncommented", () => {
    const text = configTemplate().replace(/^ {2}# (- name: reviewer|  (runtime|model|args|routes): .*)$/gm, "  $1");
    const reviewer = parseConfig(text, options).agents.find((agent) => agent.name === "reviewer");
    expect(reviewer).toMatchObject({ runtime: "claude", mode: "headless", model: "sonnet", args: ["--permission-mode", "acceptEdits"] });
  });
});

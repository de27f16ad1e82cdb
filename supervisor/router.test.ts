import { describe, expect, it } from "vitest";
import { NotFoundError, UsageError, type SwarmConfig } from "../core/index.js";
import { routeTask } from "./router.js";

const agent = (name: string, routes: string[]) => ({
  name,
  runtime: "shell" as const,
  replicas: 1,
  cwd: "/",
  routes,
  env: {},
  timeout: 60,
  mode: "headless" as const,
  command: null,
  model: null,
  args: [],
  worktree: false,
  commit: false,
  gate: null,
  gateRetries: 0,
});
const config = (defaultAgent: string | null): SwarmConfig => ({
  source: "<test>",
  agents: [agent("backend-api", ["api", "endpoint", "auth"]), agent("database", ["schema", "migration"]), agent("testing", ["test", "tests", "e2e tests"])],
  defaultAgent,
});

describe("keyword routing", () => {
  it("sends a task to the agent whose keywords it mentions most", () => {
    expect(routeTask("Add an auth endpoint to the API", config(null))).toEqual({ agent: "backend-api", routedBy: "keywords: api, endpoint, auth" });
    expect(routeTask("write the migration for the users schema", config(null)).agent).toBe("database");
  });

  it("matches whole words only, case-insensitively", () => {
    expect(routeTask("rapid TESTS", config(null)).agent).toBe("testing");
    expect(() => routeTask("capital", config(null))).toThrow(UsageError);
  });

  it("matches multi-word keywords as phrases", () => {
    expect(routeTask("run the e2e tests now", config(null)).routedBy).toBe("keywords: tests, e2e tests");
  });

  it("breaks ties in favour of the agent listed first", () => {
    expect(routeTask("test the api", config(null)).agent).toBe("backend-api");
  });

  it("falls back to default_agent, then fails with the list of agents", () => {
    expect(routeTask("tidy up", config("database"))).toEqual({ agent: "database", routedBy: "default" });
    expect(() => routeTask("tidy up", config(null))).toThrow(/no agent matches/);
  });

  it("sends a task nothing routes to the only agent of a swarm of one", () => {
    const one: SwarmConfig = { source: "<test>", agents: [agent("solo", [])], defaultAgent: null };
    expect(routeTask("tidy up", one)).toEqual({ agent: "solo", routedBy: "the only agent" });
  });

  it("takes an explicit agent as given, and rejects an unknown one naming the agents", () => {
    expect(routeTask("anything", config(null), "testing")).toEqual({ agent: "testing", routedBy: "explicit" });
    try {
      routeTask("anything", config(null), "nope");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).hint).toContain("backend-api, database, testing");
    }
  });
});

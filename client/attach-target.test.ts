import { describe, expect, it } from "vitest";
import { ClaudeAgentError, type SessionInfo } from "../core/index.js";
import { placeAttach } from "./attach-target.js";
import type { HostStatus } from "./host-status.js";

const here = { home: "/home/ci/.claude-agent", machine: "build", command: (...args: string[]) => ["claude-agent", ...args].join(" ") };

function host(name: string, more: Partial<HostStatus>): HostStatus {
  return {
    name,
    labels: [],
    ssh: `ci@${name}`,
    state: "up",
    version: "1.0.0",
    pid: 1,
    machine: name,
    home: `/home/${name}`,
    tmuxSocket: `/home/${name}/run/tmux.sock`,
    startedAt: null,
    heartbeatAt: null,
    heartbeatAgeMs: 0,
    leaseMs: 30_000,
    sessions: [],
    leader: false,
    config: null,
    ...more,
  };
}

const sessions = (pairs: [string, string][]) => pairs.map(([name, on]) => ({ name, host: on }) as SessionInfo);
const status = {
  sessions: sessions([
    ["api-1", "build-1"],
    ["api-2", "gpu-1"],
    ["trainer-1", "gpu-1"],
    ["edger-1", "edge-1"],
  ]),
  hosts: [
    host("build-1", { home: here.home, machine: here.machine, sessions: ["api-1"] }),
    host("gpu-1", { ssh: "ml@gpu-1", sessions: ["api-2", "trainer-1"] }),
    host("edge-1", { ssh: null, sessions: ["edger-1"] }),
  ],
};

function failure(fn: () => unknown): { name: string; message: string; hint: string | undefined; exitCode: number } {
  try {
    fn();
  } catch (error) {
    if (error instanceof ClaudeAgentError) return { name: error.constructor.name, message: error.message, hint: error.hint, exitCode: error.exitCode };
    throw error;
  }
  throw new Error("did not throw");
}

describe("placeAttach: which host's tmux server `attach` reaches", () => {
  it("attaches here when this home's tmux server runs the session, without looking at the records", () => {
    expect(placeAttach("api", ["api-1"], { sessions: [], hosts: undefined }, here)).toEqual({ where: "local", session: "api-1" });
  });

  it("reaches a session of another host through that host's ssh target and published tmux socket", () => {
    expect(placeAttach("trainer", ["api-1"], status, here)).toEqual({
      where: "remote",
      session: "trainer-1",
      host: "gpu-1",
      ssh: "ml@gpu-1",
      tmuxSocket: "/home/gpu-1/run/tmux.sock",
    });
    expect(placeAttach("api-2", null, status, here)).toMatchObject({ where: "remote", session: "api-2", host: "gpu-1" });
  });

  it("says a session of this very host that its tmux server does not run is not running here (exit 3), not remote", () => {
    const got = failure(() => placeAttach("api-1", [], status, here));
    expect(got).toMatchObject({ name: "NotRunningError", exitCode: 3 });
    expect(got.message).toBe("session api-1 of host build-1 (this one) is not running on its tmux server");
    expect(got.hint).toContain("claude-agent up --host build-1");
  });

  it("refuses a host without `ssh:` with the swarm.yaml fix in the hint (exit 2)", () => {
    const got = failure(() => placeAttach("edger", null, status, here));
    expect(got).toMatchObject({ name: "UsageError", exitCode: 2, message: "session edger-1 is on host edge-1, which has no `ssh:` target in swarm.yaml" });
    expect(got.hint).toContain("under hosts.edge-1");
  });

  it("refuses a host that is silent, stopped or never started (exit 3), before trying ssh", () => {
    for (const [state, said] of [
      ["silent", "is silent (its daemon stopped beating)"],
      ["stopped", "is stopped"],
      ["never", "has never been started"],
    ] as const) {
      const hosts = status.hosts.map((h) => (h.name === "gpu-1" ? { ...h, state } : h));
      const got = failure(() => placeAttach("trainer", null, { ...status, hosts }, here));
      expect(got).toMatchObject({ name: "NotRunningError", exitCode: 3, message: `session trainer-1 is on host gpu-1, which ${said}` });
      expect(got.hint).toContain("claude-agent up --host gpu-1");
    }
  });

  it("lists every session with its host when none matches (exit 2)", () => {
    const got = failure(() => placeAttach("nope", ["api-1"], status, here));
    expect(got).toMatchObject({ name: "NotFoundError", exitCode: 2, message: 'no agent session "nope"' });
    expect(got.hint).toBe("Sessions: api-1 (build-1), api-2 (gpu-1), trainer-1 (gpu-1), edger-1 (edge-1).");
  });

  it("in a swarm without hosts, a configured session its tmux server does not run is not running (exit 3)", () => {
    const got = failure(() => placeAttach("api", null, { sessions: sessions([["api-1", ""]]), hosts: undefined }, here));
    expect(got).toMatchObject({ name: "NotRunningError", exitCode: 3, message: "session api-1 is not running here" });
  });
});

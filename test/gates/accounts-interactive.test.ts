/**
 * Usage limits with more than one account, for an INTERACTIVE Claude Code
 * (the real, pinned program; its TUI is the pane's own program): the accounts
 * are two logins in folders of their own, and the scripted Anthropic server
 * answers the first login's key with a usage limit. The session's program
 * runs with one account at a time, so a move to the next one restarts it
 * (between tasks) with that login; that restart is no crash. Neither the
 * user's home nor the daemon's environment holds a login: each session must
 * find its login in the folder of the account it runs with.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import type { SessionInfo, SwarmEvent, TaskResult } from "../../core/index.js";
import { PLAIN_ANSWER } from "../fixtures/llm/scenario.js";
import type { TestSwarm } from "../helpers/swarm.js";
import { accountsAgent, startAccountsSwarm, type AccountsSwarm } from "./accounts-support.js";

const WAIT_MS = 90_000;
const INTERACTIVE = "    mode: interactive\n    auto_approve: true\n";

describe("an interactive Claude Code agent with two logins", () => {
  let setup: AccountsSwarm;
  let swarm: TestSwarm;
  let client: Swarm;
  let user = "";

  beforeAll(async () => {
    user = mkdtempSync(join(tmpdir(), "ca-nologin-"));
    setup = await startAccountsSwarm({
      limited: ["home"],
      // One death marks a session failed: a restart for the move to another account must not count as one.
      tuning: { rateLimitParkMs: 60_000, crashLimit: 1 },
      env: { HOME: user, ANTHROPIC_API_KEY: "", CLAUDE_CONFIG_DIR: "" },
      agents: ({ url, work, logins }) =>
        accountsAgent(
          "coder",
          url,
          work,
          [`{ name: home, config_dir: ${join(logins, "home")} }`, `{ name: work, config_dir: ${join(logins, "work")} }`],
          INTERACTIVE,
        ),
    });
    swarm = setup.swarm;
    client = await swarm.connect();
  }, 120_000);
  afterAll(async () => {
    await setup?.close();
    if (user) rmSync(user, { recursive: true, force: true });
  });

  async function run(task: string): Promise<TaskResult> {
    return (await client.submit({ task, agent: "coder" })).result({ signal: AbortSignal.timeout(WAIT_MS) });
  }
  async function session(): Promise<SessionInfo> {
    return (await client.status()).sessions.find((s) => s.name === "coder-1")!;
  }
  async function eventsSince(since: string): Promise<SwarmEvent[]> {
    return (await client.client.events.recent(300)).filter((event) => event.id > since && event.agent === "coder");
  }
  /** The pane's program: its pid, and the config folder it was started with (from its own environment). */
  function paneProgram(): { pid: string; configDir: string | undefined } {
    const pid = execFileSync("tmux", ["-S", swarm.paths.tmuxSocket, "list-panes", "-t", "=coder-1", "-F", "#{pane_pid}"], { encoding: "utf8" }).trim();
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    return { pid, configDir: environ.find((entry) => entry.startsWith("CLAUDE_CONFIG_DIR="))?.slice("CLAUDE_CONFIG_DIR=".length) };
  }
  const loginFolder = (account: string): string => join(swarm.home, "agents", "coder", "accounts", account, "config");

  it("starts its program with the first account's login folder, and shows it idle, not needs-login", async () => {
    expect(paneProgram().configDir).toBe(loginFolder("home"));
    expect(await session()).toMatchObject({ state: "idle", agentState: "idle" });
  });

  it("restarts its program with the next login on a usage limit, completes the task there, and counts no crash", async () => {
    const since = await client.client.events.lastId();
    const before = paneProgram();
    const result = await run("What is the answer? [[plain]]");
    expect(result).toMatchObject({ status: "completed", answer: PLAIN_ANSWER, account: "work" });
    expect(result.reason).toBeUndefined();
    // The first program sent the home login's key and was refused; the restarted one sent the work login's.
    const seen = setup.keysSince(0);
    expect(seen[0]).toBe("home");
    expect(seen.at(-1)).toBe("work");
    const after = paneProgram();
    expect(after.pid).not.toBe(before.pid);
    expect(after.configDir).toBe(loginFolder("work"));
    const events = await eventsSince(since);
    expect(events.filter((e) => e.type === "agent.account-switched")).toEqual([expect.objectContaining({ from: "home", to: "work" })]);
    expect(events.map((e) => e.type)).not.toContain("agent.failed");
    expect(events.map((e) => e.type)).not.toContain("agent.parked");
    expect(await session()).toMatchObject({ state: "idle", agentState: expect.stringMatching(/^(idle|done)$/) });
  });

  it("runs the next task on the same program and login", async () => {
    const { pid } = paneProgram();
    const before = setup.llm.agentRequests().length;
    const result = await run("And again? [[plain]]");
    expect(result).toMatchObject({ status: "completed", answer: PLAIN_ANSWER, account: "work", attempts: 1 });
    const seen = setup.keysSince(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual(seen.map(() => "work"));
    expect(paneProgram().pid).toBe(pid);
  });

  it("keeps the program and its login across a restart of the bridge", async () => {
    const { pid } = paneProgram();
    await swarm.kill9();
    await swarm.start();
    client = await swarm.connect();
    const since = await client.client.events.lastId();
    const before = setup.llm.agentRequests().length;
    const result = await run("After the restart? [[plain]]");
    expect(result).toMatchObject({ status: "completed", answer: PLAIN_ANSWER, account: "work" });
    expect(setup.keysSince(before)).toEqual(setup.keysSince(before).map(() => "work"));
    expect(paneProgram()).toEqual({ pid, configDir: loginFolder("work") });
    const types = (await eventsSince(since)).map((e) => e.type);
    expect(types).not.toContain("agent.account-switched");
    expect(types).not.toContain("agent.down");
  });
});

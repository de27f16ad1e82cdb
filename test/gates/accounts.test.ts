/**
 * Usage limits with more than one account: the real Claude Code (the pinned
 * devDependency), headless, with two accounts given as keys, against our
 * scripted Anthropic server, which answers every request carrying a key it
 * was told is limited with a 429. A limit moves the agent to its next
 * account and the task runs again there; only with every account limited is
 * the agent parked, until the earliest limit lifts.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentStatus, Swarm } from "../../client/index.js";
import type { SwarmEvent, TaskResult } from "../../core/index.js";
import { PLAIN_ANSWER } from "../fixtures/llm/scenario.js";
import type { AnthropicServer } from "../fixtures/llm/anthropic.js";
import type { TestSwarm } from "../helpers/swarm.js";
import { ACCOUNT_KEYS, accountsAgent, startAccountsSwarm, type AccountsSwarm } from "./accounts-support.js";

const WAIT_MS = 60_000;
/** How long an account counts as limited when the program gives no reset time (an API key's 429 gives none). */
const LIMIT_MS = 30_000;
const MARGIN_MS = 2000;
const HEADLESS = "    args: [--permission-mode, acceptEdits]\n";

describe("an agent with two accounts", () => {
  let setup: AccountsSwarm;
  let llm: AnthropicServer;
  let swarm: TestSwarm;
  let client: Swarm;

  beforeAll(async () => {
    setup = await startAccountsSwarm({
      limited: ["a", "home"],
      tuning: { rateLimitParkMs: LIMIT_MS },
      agents: ({ url, work, logins }) =>
        accountsAgent(
          "coder",
          url,
          work,
          [`{ name: a, env: { ANTHROPIC_API_KEY: ${ACCOUNT_KEYS.a} } }`, `{ name: b, env: { ANTHROPIC_API_KEY: ${ACCOUNT_KEYS.b} } }`],
          HEADLESS,
        ) +
        accountsAgent(
          "folders",
          url,
          work,
          [`{ name: home, config_dir: ${join(logins, "home")} }`, `{ name: work, config_dir: ${join(logins, "work")} }`],
          HEADLESS,
        ),
    });
    ({ llm, swarm } = setup);
    client = await swarm.connect();
  });
  afterAll(async () => {
    await setup?.close();
  });

  async function run(task: string, agent = "coder"): Promise<TaskResult> {
    return (await client.submit({ task, agent })).result({ signal: AbortSignal.timeout(WAIT_MS) });
  }
  const keysSince = (from: number): string[] => setup.keysSince(from);
  async function agentStatus(): Promise<AgentStatus> {
    return (await client.status()).agents.find((agent) => agent.name === "coder")!;
  }
  async function eventsSince(since: string): Promise<SwarmEvent[]> {
    return (await client.client.events.recent(300)).filter((event) => event.id > since && event.agent === "coder");
  }

  it("completes a task that hits the usage limit on account a by running it again on account b, and stays on b", async () => {
    const since = await client.client.events.lastId();
    const first = await run("What is the answer? [[plain]]");
    expect(first).toMatchObject({ status: "completed", answer: PLAIN_ANSWER, account: "b" });
    expect(first.reason).toBeUndefined();
    // The program ran with account a's key, was refused, and ran again with b's.
    const seen = keysSince(0);
    expect(seen[0]).toBe("a");
    expect(seen.at(-1)).toBe("b");
    const events = await eventsSince(since);
    expect(events.filter((e) => e.type === "agent.account-switched")).toEqual([
      expect.objectContaining({
        from: "a",
        to: "b",
        message: expect.stringMatching(/^account a is usage limited until \d{4}-.*Z; the agent runs with account b now$/),
      }),
    ]);
    expect(events.map((e) => e.type)).not.toContain("agent.parked");

    const before = llm.agentRequests().length;
    const second = await run("And again? [[plain]]");
    expect(second).toMatchObject({ status: "completed", answer: PLAIN_ANSWER, account: "b", attempts: 1 });
    expect(keysSince(before)).toEqual(keysSince(before).map(() => "b"));

    const status = await agentStatus();
    expect(status.parkedUntil).toBeUndefined();
    expect(status.accounts).toEqual({ current: "b", limited: [{ name: "a", until: expect.stringMatching(/^\d{4}-.*Z$/) }] });
    expect(swarm.cli(["status", "--agent", "coder"]).stdout).toContain(`coder: account b; usage limited: a until ${status.accounts!.limited[0]!.until}`);
    const shown = swarm.cli(["result", first.id]);
    expect(shown.stdout).toMatch(/agent coder \(coder-1\) · account b/);
    expect(JSON.parse(swarm.cli(["result", first.id, "--json"]).stdout)).toMatchObject({ account: "b" });
  });

  it("keeps the agent's account across a restart of the bridge", async () => {
    await swarm.kill9();
    await swarm.start();
    client = await swarm.connect();
    const since = await client.client.events.lastId();
    const before = llm.agentRequests().length;
    const result = await run("After the restart? [[plain]]");
    expect(result).toMatchObject({ status: "completed", account: "b" });
    // Straight to b: a restarted bridge that forgot would have tried a first (limited) and switched again.
    expect(keysSince(before)).toEqual(keysSince(before).map(() => "b"));
    expect((await eventsSince(since)).map((e) => e.type)).not.toContain("agent.account-switched");
  });

  it("parks the agent when every account is limited, until the earliest limit lifts, then runs on that account", async () => {
    const aUntil = (await agentStatus()).accounts!.limited.find((entry) => entry.name === "a")!.until;
    setup.limitedKeys.add(ACCOUNT_KEYS.b);
    const since = await client.client.events.lastId();
    const limited = await run("Too much for everyone [[plain]]");
    expect(limited).toMatchObject({ status: "failed", account: "b" });
    expect(limited.reason).toMatch(/^rate limited: .*429/);
    const status = await agentStatus();
    // Parked as an agent with one account is, until a's limit (the earlier one) lifts.
    expect(Date.parse(status.parkedUntil!)).toBe(Date.parse(aUntil) + MARGIN_MS);
    expect(status.accounts!.limited.map((entry) => entry.name).sort()).toEqual(["a", "b"]);
    expect(swarm.cli(["status", "--agent", "coder"]).stdout).toMatch(/parked until \d{4}-/);

    // Account a's limit is over by the time the parking ends; b's is not.
    setup.limitedKeys.delete(ACCOUNT_KEYS.a);
    const next = await run("Once a is back? [[plain]]");
    expect(next).toMatchObject({ status: "completed", answer: PLAIN_ANSWER, account: "a" });
    expect(Date.parse(next.startedAt!)).toBeGreaterThanOrEqual(Date.parse(status.parkedUntil!));
    const events = await eventsSince(since);
    const types = events.map((e) => e.type);
    expect(types).toContain("agent.parked");
    expect(types.indexOf("agent.resumed")).toBeGreaterThan(types.indexOf("agent.parked"));
    expect(events.filter((e) => e.type === "agent.account-switched")).toEqual([expect.objectContaining({ from: "b", to: "a" })]);
  });

  it("moves an agent whose accounts are login folders to the next folder, where its runs start a conversation of their own", async () => {
    const before = llm.agentRequests().length;
    const first = await run("Remember tag-alpha [[recall]]", "folders");
    expect(first).toMatchObject({ status: "completed", account: "work", answer: "I can see: tag-alpha" });
    expect(keysSince(before)[0]).toBe("home");
    expect(keysSince(before).at(-1)).toBe("work");
    // The next task continues that conversation, in the work login's folder.
    const second = await run("And now tag-beta [[recall]]", "folders");
    expect(second).toMatchObject({ status: "completed", account: "work", answer: "I can see: tag-alpha, tag-beta", agentSessionId: first.agentSessionId });
    // Each login was copied into a folder of the swarm's own; the user's folders got nothing of ours.
    const copied = join(swarm.home, "agents", "folders", "accounts", "work", "config", ".claude.json");
    expect(JSON.parse(readFileSync(copied, "utf8"))).toMatchObject({ primaryApiKey: ACCOUNT_KEYS.work });
    expect(readdirSync(join(setup.logins, "work"))).toEqual([".claude.json"]);
    expect(existsSync(join(swarm.home, "agents", "folders", "accounts", "work", "config", "projects"))).toBe(true);
  });
});

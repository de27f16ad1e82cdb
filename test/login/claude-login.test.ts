/**
 * The login trap of a fresh swarm, reproduced and fixed with the real Claude
 * Code (the pinned devDependency): a user logged in once (a well-formed,
 * fake credentials file in their own ~/.claude, in a temp HOME), a swarm whose
 * Claude agent sets no key of its own. `up` copies the login into the agent's
 * folder (0600), the program authenticates with it against our scripted
 * Anthropic server on loopback, a change of the user's login reaches the
 * agent at the next start, and an agent with its own key gets no copy.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAnthropicServer, type AnthropicServer } from "../fixtures/llm/anthropic.js";
import { claudeCredentials } from "../fixtures/claude-login.js";
import { PLAIN_ANSWER } from "../fixtures/llm/scenario.js";
import { nodeLine, programBin } from "../agents/programs.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

const CLAUDE = programBin("claude");

function yaml(url: string, work: string): string {
  const common = `    runtime: claude
    command: ${CLAUDE}${nodeLine(CLAUDE)}
    cwd: ${work}
    timeout: 60`;
  const env = `      ANTHROPIC_BASE_URL: ${url}
      DISABLE_AUTOUPDATER: 1
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: 1`;
  return `
agents:
  - name: coder
${common}
    env:
${env}
  - name: keyed
${common}
    env:
      ANTHROPIC_API_KEY: sk-ant-keyed-000000000000000000000
${env}
`;
}

describe("a Claude Code agent logged in with the user's own login", () => {
  let llm: AnthropicServer;
  let swarm: TestSwarm;
  let user = "";
  let work = "";
  const userCredentials = () => join(user, ".claude", ".credentials.json");
  const agentCopy = (agent: string) => join(swarm.home, "agents", agent, "config", ".credentials.json");

  beforeAll(async () => {
    llm = await startAnthropicServer();
    user = mkdtempSync(join(tmpdir(), "ca-user-"));
    work = mkdtempSync(join(tmpdir(), "ca-login-work-"));
    mkdirSync(join(user, ".claude"));
    writeFileSync(userCredentials(), claudeCredentials("sk-ant-oat01-first-login"), { mode: 0o600 });
    writeFileSync(
      join(user, ".claude.json"),
      JSON.stringify({ oauthAccount: { accountUuid: "acc-1", emailAddress: "me@example.com", organizationUuid: "org-1" }, numStartups: 3 }),
    );
    // HOME is the user's: where Claude Code (and our seeding) finds the user's own login.
    swarm = await startTestSwarm(yaml(llm.url, work), { env: { HOME: user, ANTHROPIC_API_KEY: "", CLAUDE_CONFIG_DIR: "" } });
  });
  afterAll(async () => {
    await swarm?.destroy();
    await llm?.close();
    rmSync(user, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it("gets a 0600 copy of the user's credentials and account in its own folder at `up`", () => {
    expect(readFileSync(agentCopy("coder"), "utf8")).toContain("sk-ant-oat01-first-login");
    expect(statSync(agentCopy("coder")).mode & 0o777).toBe(0o600);
    const state = JSON.parse(readFileSync(join(swarm.home, "agents", "coder", "config", ".claude.json"), "utf8"));
    expect(state.oauthAccount).toEqual({ accountUuid: "acc-1", emailAddress: "me@example.com", organizationUuid: "org-1" });
    expect(state.numStartups).toBeUndefined();
  });

  it("runs a task with that login: the program authenticates with the user's token", async () => {
    const client = await swarm.connect();
    const result = await (await client.submit({ task: "What is the answer? [[plain]]", agent: "coder" })).result({ signal: AbortSignal.timeout(60_000) });
    expect(result).toMatchObject({ status: "completed", answer: PLAIN_ANSWER });
    expect(llm.agentRequests().at(-1)?.authorization).toBe("Bearer sk-ant-oat01-first-login");
  });

  it("gives an agent that sets its own key no copy of the user's login", async () => {
    expect(existsSync(agentCopy("keyed"))).toBe(false);
    const client = await swarm.connect();
    const result = await (await client.submit({ task: "What is the answer? [[plain]]", agent: "keyed" })).result({ signal: AbortSignal.timeout(60_000) });
    expect(result.status).toBe("completed");
    expect(llm.agentRequests().at(-1)?.authorization).toBe("x-api-key sk-ant-keyed-000000000000000000000");
  });

  it("refreshes the agent's copy when the user logs in again, at the next start", async () => {
    writeFileSync(userCredentials(), claudeCredentials("sk-ant-oat01-second-login"));
    await swarm.kill9();
    await swarm.start();
    expect(readFileSync(agentCopy("coder"), "utf8")).toContain("sk-ant-oat01-second-login");
    expect(statSync(agentCopy("coder")).mode & 0o777).toBe(0o600);
    const client = await swarm.connect();
    const result = await (await client.submit({ task: "Again? [[plain]]", agent: "coder" })).result({ signal: AbortSignal.timeout(60_000) });
    expect(result.status).toBe("completed");
    expect(llm.agentRequests().at(-1)?.authorization).toBe("Bearer sk-ant-oat01-second-login");
  });

  it("doctor reports each agent's login from its own folder", () => {
    const doctor = swarm.cli(["doctor", "--json"]);
    const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; ok: boolean; detail: string }[] }).checks;
    expect(checks.find((c) => c.name === "agent coder login")).toMatchObject({ ok: true, detail: expect.stringContaining(`logged in (${agentCopy("coder")}`) });
    expect(checks.find((c) => c.name === "agent keyed login")).toMatchObject({ ok: true, detail: "ANTHROPIC_API_KEY set in its env" });
  });
});

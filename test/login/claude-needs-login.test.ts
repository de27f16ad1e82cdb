/**
 * An interactive Claude Code (the real one) with no login anywhere: its
 * session must not pass for `idle`. It shows `needs-login` with the command
 * that fixes it, from the start and after a task it could not run.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionInfo } from "../../core/index.js";
import { startAnthropicServer, type AnthropicServer } from "../fixtures/llm/anthropic.js";
import { programBin } from "../agents/programs.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

describe("an interactive Claude Code agent without a login", () => {
  let llm: AnthropicServer;
  let swarm: TestSwarm;
  let user = "";

  beforeAll(async () => {
    llm = await startAnthropicServer();
    user = mkdtempSync(join(tmpdir(), "ca-nologin-"));
    mkdirSync(join(user, "work"));
    const yaml = `agents:
  - name: coder
    runtime: claude
    mode: interactive
    command: ${programBin("claude")}
    cwd: ${join(user, "work")}
    timeout: 30
    env:
      ANTHROPIC_BASE_URL: ${llm.url}
      DISABLE_AUTOUPDATER: 1
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: 1
`;
    swarm = await startTestSwarm(yaml, { env: { HOME: user, ANTHROPIC_API_KEY: "", CLAUDE_CONFIG_DIR: "" } });
  }, 90_000);
  afterAll(async () => {
    await swarm?.destroy().catch(() => undefined);
    await llm?.close();
    rmSync(user, { recursive: true, force: true });
  });

  const session = (): SessionInfo => (JSON.parse(swarm.cli(["status", "--json"]).stdout) as { sessions: SessionInfo[] }).sessions[0]!;

  it("shows needs-login, with the command to run, instead of idle", () => {
    expect(session().agentState).toBe("needs-login");
    const text = swarm.cli(["status"]).stdout;
    expect(text).toContain(`needs-login: claude-agent --home ${swarm.home} login coder`);
  });

  it("stays needs-login after a task it could not run, which fails saying so", async () => {
    const client = await swarm.connect();
    const result = await (await client.submit({ task: "hello [[plain]]", agent: "coder" })).result({ signal: AbortSignal.timeout(60_000) });
    expect(result.status).not.toBe("completed");
    expect(`${result.answer ?? ""} ${result.reason ?? ""}`).toMatch(/Not logged in/);
    expect(session().agentState).toBe("needs-login");
    expect(llm.agentRequests()).toHaveLength(0);
    // Its output file is the result file the agent was asked to write, which it never wrote: not offered as "full output".
    const shown = swarm.cli(["result", result.id]);
    expect(result.outputFile).toMatch(/\.result\.md$/);
    expect(existsSync(result.outputFile!)).toBe(false);
    expect(shown.stdout).not.toContain("full output:");
  });
});

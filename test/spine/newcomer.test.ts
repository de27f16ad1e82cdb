/**
 * The first hour, as a newcomer meets it, through the built CLI only: a
 * project folder, Claude Code installed (the pinned devDependency, on PATH)
 * and logged in once as the user (a well-formed credentials file in their
 * own ~/.claude, in a temp HOME), a model API on loopback (our scripted
 * Anthropic server; the one stand-in allowed). `init` picks Claude Code and
 * says why, `up --detach` copies the login into every agent's own folder (the
 * login trap: each agent has its own config folder, which a first task used
 * to find empty), and the design's own first command completes on a Claude
 * agent, authenticated with the user's login.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/index.js";
import { seedClaudeLogin } from "../fixtures/claude-login.js";
import { startAnthropicServer, type AnthropicServer } from "../fixtures/llm/anthropic.js";
import { programBin } from "../agents/programs.js";
import { runCliAsync } from "../helpers/cli.js";
import { runCli, tempHome } from "../helpers/swarm.js";

describe("a newcomer's first hour with Claude Code installed and logged in", () => {
  let llm: AnthropicServer;
  let user = "";
  let project = "";
  let home = "";
  let env: NodeJS.ProcessEnv = {};
  const cli = (args: readonly string[]) => runCli(args, { home, cwd: project, env });

  beforeAll(async () => {
    llm = await startAnthropicServer();
    user = mkdtempSync(join(tmpdir(), "ca-newcomer-user-"));
    project = mkdtempSync(join(tmpdir(), "ca-newcomer-project-"));
    home = tempHome();
    execFileSync("git", ["init", "-q", project]);
    execFileSync("git", ["-C", project, "-c", "user.name=n", "-c", "user.email=n@example.com", "commit", "-q", "--allow-empty", "-m", "start"]);
    seedClaudeLogin(user, {
      accessToken: "sk-ant-oat01-newcomer",
      refreshToken: "sk-ant-ort01-newcomer",
      accountUuid: "acc-n",
      emailAddress: "new@example.com",
      organizationUuid: "org-n",
    });
    env = {
      HOME: user,
      // `claude` on PATH, as `npm i -g @anthropic-ai/claude-code` would put it.
      PATH: `${dirname(programBin("claude"))}:${process.env.PATH}`,
      ANTHROPIC_BASE_URL: llm.url,
      ANTHROPIC_API_KEY: "",
      CLAUDE_CONFIG_DIR: "",
      DISABLE_AUTOUPDATER: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    };
  });

  afterAll(async () => {
    if (home) cli(["down", "--force"]);
    await llm?.close();
    for (const dir of [user, project, home]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("init writes the specialists on Claude Code and says why", () => {
    const init = cli(["init"]);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/the five specialists on Claude Code.*\n  why: Claude Code is installed .* and can authenticate: logged in/);
    // Pasted as printed, the next step reaches this home.
    expect(init.stdout).toContain(`next: claude-agent --home ${home} doctor`);
    const config = loadConfig({ explicit: join(project, "swarm.yaml"), cwd: project, home });
    expect(config.agents.length).toBeGreaterThan(1);
    expect(config.agents.every((agent) => agent.runtime === "claude")).toBe(true);
  });

  it("up copies the user's login into each agent's own folder and starts", () => {
    const up = cli(["up", "--detach"]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/backend-api: your login copied into its folder \(\S+\/agents\/backend-api\/config\/\.credentials\.json/);
    expect(up.stderr).not.toMatch(/cannot log in/);
  });

  it("runs the design's first command, submit --task \"Create user auth system\", on a Claude agent with the user's login", async () => {
    // Not blocking this process: the scripted model server answers from it.
    const submitted = await runCliAsync(["submit", "--task", "Create user auth system", "--wait", "--timeout", "90", "--json"], { home, cwd: project, env });
    expect(submitted.exitCode, submitted.stdout + submitted.stderr).toBe(0);
    const result = JSON.parse(submitted.stdout) as { status: string; agent: string; answer?: string };
    expect(result.status).toBe("completed");
    expect(result.answer).toBe("ok");
    // Routed by its words ("auth") to backend-api, one of the Claude Code specialists init wrote; its gate (git diff --check)
    // ran in the sandbox against a repository under /tmp, which the sandbox's private /tmp used to hide.
    expect(result.agent).toBe("backend-api");
    const asked = llm.agentRequests().find((request) => request.userTexts.some((text) => text.includes("Create user auth system")));
    expect(asked?.authorization).toBe("Bearer sk-ant-oat01-newcomer");
  });
});

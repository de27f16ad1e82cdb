/**
 * `claude-agent init` through the built CLI: each template writes a
 * swarm.yaml that loads, and without `--template` init picks the agents that
 * can run here (Claude Code first when it can authenticate, shell agents
 * only as the fallback), saying which and why. A sentence sent to a shell
 * agent gets a hint in its result's reason.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROGRAMS } from "../../cli/agent-programs.js";
import { parseConfig } from "../../core/index.js";
import { runCli, startTestSwarm, tempHome } from "../helpers/swarm.js";

const root = mkdtempSync(join(tmpdir(), "ca-init-"));
const userHome = join(root, "user-home"); // no logins in it
mkdirSync(userHome);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** No key and no login for any program, unless the test sets one. */
const NOTHING: NodeJS.ProcessEnv = {
  HOME: userHome,
  OPENAI_BASE_URL: "",
  CLAUDE_CONFIG_DIR: "",
  CODEX_HOME: "",
  ...Object.fromEntries(PROGRAMS.flatMap((p) => p.keyVars).map((name) => [name, ""])),
};

function initIn(name: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): { exitCode: number; stdout: string; stderr: string; file: string } {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const result = runCli(["init", ...args], { home: join(root, "home"), cwd: dir, env: { ...NOTHING, ...env } });
  return { ...result, file: join(dir, "swarm.yaml") };
}

const load = (file: string) => parseConfig(readFileSync(file, "utf8"), { file, baseDir: join(file, "..") });

describe("init --template", () => {
  it.each([
    ["shell", "five shell specialists", "shell"],
    ["claude", "the five specialists on Claude Code", "claude"],
    ["mixed", "Claude Code, Codex, Gemini CLI and Qwen Code side by side", "claude"],
    ["devops", "the DevOps specialists", "shell"],
  ])("%s writes a swarm.yaml that loads, every agent sandboxed", (template, says, firstRuntime) => {
    const init = initIn(`t-${template}`, ["--template", template]);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toContain(says);
    const config = load(init.file);
    expect(config.agents[0]?.runtime).toBe(firstRuntime);
    expect(config.agents.every((agent) => agent.sandbox?.kind === "bwrap")).toBe(true);
  });

  it("doctor then reports, per agent, its role's tools and how to get the missing ones", () => {
    const dir = join(root, "t-devops");
    const doctor = runCli(["doctor", "--json"], { home: join(root, "home"), cwd: dir, env: { ...NOTHING, PATH: `${join(root, "no-tools")}:/usr/bin:/bin` } });
    const tools = (JSON.parse(doctor.stdout) as { tools: { agent: string; ok: boolean; detail: string; fixes: string[] }[] }).tools;
    expect(tools.map((t) => t.agent)).toEqual(["docker", "kubernetes", "terraform", "github", "ansible"]);
    const ansible = tools.find((t) => t.agent === "ansible")!;
    expect(ansible.detail).toMatch(/^role ansible: ansible-playbook/);
    if (!ansible.ok) expect(ansible.fixes).toEqual(["ansible-playbook: sudo apt-get install -y ansible-core"]);
    const text = runCli(["doctor"], { home: join(root, "home"), cwd: dir, env: NOTHING }).stdout;
    expect(text).toContain("swarm.yaml's agents: their program and the tools of their role");
    expect(text).toMatch(/^(ok|miss) +kubernetes: role kubernetes: kubectl/m);
  });

  it("refuses an unknown template with the list of templates (exit 2)", () => {
    const init = initIn("t-bad", ["--template", "kubernetes"]);
    expect(init.exitCode).toBe(2);
    expect(init.stderr).toContain('unknown template "kubernetes"');
    expect(init.stderr).toContain("shell, claude, mixed, devops");
  });
});

describe("init without --template", () => {
  it("picks Claude Code when it can authenticate, and says why", () => {
    const init = initIn("auto-claude", [], { ANTHROPIC_API_KEY: "sk-ant-test-0000" });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toContain("the five specialists on Claude Code");
    expect(init.stdout).toMatch(/why: Claude Code is installed \(.*claude\) and can authenticate: ANTHROPIC_API_KEY set/);
    expect(load(init.file).agents.map((a) => [a.runtime, a.role?.source])).toEqual(
      ["backend-api", "frontend-ui", "database", "testing", "deployment"].map((name) => ["claude", `shipped: roles/${name}.md`]),
    );
  });

  it("passes over a program that cannot authenticate to the next one that can", () => {
    const init = initIn("auto-codex", [], { CODEX_API_KEY: "sk-test" });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toContain("the five specialists on Codex");
    expect(init.stdout).toContain("(Claude Code is installed but cannot authenticate");
    expect(load(init.file).agents.every((a) => a.runtime === "codex")).toBe(true);
  });

  it("uses the LangChain agent when only an OpenAI-compatible endpoint is configured", () => {
    const init = initIn("auto-langchain", [], { OPENAI_BASE_URL: "http://127.0.0.1:9/v1", OPENAI_MODEL: "qwen2.5-coder" });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toContain("the built-in LangChain agent");
    expect(load(init.file).agents[0]).toMatchObject({ runtime: "langchain", llm: { baseUrl: "http://127.0.0.1:9/v1", model: "qwen2.5-coder" } });
  });

  it("falls back to shell agents when nothing can run a prompt, saying why and what to do", () => {
    const init = initIn("auto-shell", []);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toContain("five shell specialists");
    expect(init.stdout).toMatch(/why: Claude Code, Codex, Gemini CLI and Qwen Code are installed but cannot authenticate: .*OPENAI_BASE_URL is not set/);
    expect(load(init.file).agents.every((a) => a.runtime === "shell")).toBe(true);
  });
});

describe("a prose task sent to a shell agent", () => {
  it("fails with a reason that says the agent runs bash and points at AI agents", async () => {
    const swarm = await startTestSwarm(`agents:\n  - name: ops\n    runtime: shell\n    timeout: 30\n`, { home: tempHome() });
    try {
      const client = await swarm.connect();
      const result = await (await client.submit({ task: "Create user auth system", agent: "ops" })).result({ signal: AbortSignal.timeout(30_000) });
      expect(result).toMatchObject({ status: "failed", exitCode: 127 });
      expect(result.reason).toMatch(/Create: command not found: this agent runs bash, .*did you mean an AI agent\?/);
      const command = await (await client.submit({ task: "frobnicate-xyz", agent: "ops" })).result({ signal: AbortSignal.timeout(30_000) });
      expect(command.reason ?? "").not.toContain("AI agent");
    } finally {
      await swarm.destroy();
    }
  });
});

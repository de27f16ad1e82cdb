/**
 * The policy hook an agent with a `policy:` runs (built:
 * dist/agents/policy-hook/hook.js), driven the way Claude Code (PreToolUse),
 * Codex (PreToolUse, the same call as Claude Code's), Gemini CLI (BeforeTool)
 * and Qwen Code (PreToolUse) drive it: the tool call as JSON on stdin, exit 2
 * with the reason on stderr to refuse, exit 0 with nothing on stdout to let
 * the call through; and the settings or command-line words that install it.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runtimeAdapter, type AgentJob } from "../../agents/index.js";

const HOOK = resolve(import.meta.dirname, "../../dist/agents/policy-hook/hook.js");
const POLICY = Buffer.from(JSON.stringify({ deny: [String.raw`\bterraform\b.*\sdestroy\b`], allow: [] })).toString("base64");

function hook(input: string, policy = POLICY, program = "claude"): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [HOOK, program, policy], { input, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const call = (tool: string, input: Record<string, unknown>) => JSON.stringify({ hook_event_name: "PreToolUse", tool_name: tool, tool_input: input });

describe("the policy hook", () => {
  it("refuses a denied Bash command with exit 2 and the policy's reason", () => {
    const denied = hook(call("Bash", { command: "cd infra && terraform destroy -auto-approve" }));
    expect(denied.status).toBe(2);
    expect(denied.stderr).toMatch(/^claude-agent: refused by policy rule deny/);
  });

  it("checks Gemini CLI's and Qwen Code's shell tool, run_shell_command, and says nothing on stdout", () => {
    for (const program of ["gemini", "qwen"]) {
      const denied = hook(call("run_shell_command", { command: "terraform destroy -auto-approve", description: "x" }), POLICY, program);
      expect(denied).toMatchObject({ status: 2, stdout: "" });
      expect(denied.stderr).toMatch(/^claude-agent: refused by policy rule deny/);
      expect(hook(call("run_shell_command", { command: "terraform plan" }), POLICY, program)).toMatchObject({ status: 0, stdout: "" });
      // Another program's shell tool is not this one's.
      expect(hook(call("Bash", { command: "terraform destroy" }), POLICY, program).status).toBe(0);
    }
  });

  it("refuses what the default rules refuse, even with an empty policy", () => {
    const empty = Buffer.from(JSON.stringify({ deny: [], allow: [] })).toString("base64");
    expect(hook(call("Bash", { command: "rm -rf /" }), empty).status).toBe(2);
  });

  it("lets allowed commands and other tools through", () => {
    expect(hook(call("Bash", { command: "terraform plan" })).status).toBe(0);
    expect(hook(call("Write", { file_path: "/tmp/x", content: "terraform destroy" })).status).toBe(0);
  });

  it("refuses what it cannot read: garbage input, a shell call without a command, a broken policy, an unknown program", () => {
    expect(hook("not json").status).toBe(2);
    expect(hook(call("Bash", {})).status).toBe(2);
    expect(hook(call("Bash", { command: "ls" }), "%%%").status).toBe(2);
    expect(hook(call("Bash", { command: "ls" }), POLICY, "aider").status).toBe(2);
  });

  const job: AgentJob = { task: "t", promptFile: "/p", eventsFile: "/e", cwd: "/", command: null, model: null, args: [], resumeId: null, fresh: false };
  const paths = { configDir: "/c", node: "/usr/bin/node", renderer: "/r/render-stream.js" };
  const policy = { deny: ["x"], ask: [], allow: [] };

  it("is installed by the headless script's --settings only when the agent has a policy", () => {
    expect(runtimeAdapter("claude").buildScript(job, paths)).not.toContain("--settings");
    const script = runtimeAdapter("claude").buildScript({ ...job, policy }, paths);
    expect(script).toContain("--settings");
    expect(script).toContain("PreToolUse");
    expect(script).toContain("policy-hook/hook.js");
  });

  it("is given to Gemini CLI and Qwen Code in a settings file of the dispatch's, only when the agent has a policy", () => {
    for (const program of ["gemini", "qwen"] as const) {
      const adapter = runtimeAdapter(program);
      expect(adapter.policySettings?.(job, paths)).toBeNull();
      expect(adapter.buildScript(job, paths)).not.toContain("/e.policy.json");
      const settings = JSON.parse(adapter.policySettings!({ ...job, policy }, paths)!) as {
        hooks: Record<string, { matcher: string; hooks: { command: string }[] }[]>;
      };
      const [entry] = settings.hooks[program === "gemini" ? "BeforeTool" : "PreToolUse"]!;
      expect(entry!.matcher).toBe("^run_shell_command$");
      expect(entry!.hooks[0]!.command).toMatch(new RegExp(`^/usr/bin/node \\S+/policy-hook/hook\\.js ${program} \\S+$`));
      expect(adapter.buildScript({ ...job, policy, policyFile: "/e.policy.json" }, paths)).toContain("/e.policy.json");
    }
  });

  it("is given to Codex on its command line, trusted for that run, only when the agent has a policy", () => {
    expect(runtimeAdapter("codex").buildScript(job, paths)).not.toMatch(/hook/);
    const script = runtimeAdapter("codex").buildScript({ ...job, policy }, paths);
    expect(script).toContain("--dangerously-bypass-hook-trust");
    expect(script).toContain("hooks={PreToolUse=[{matcher=");
    expect(script).toMatch(/policy-hook\/hook\.js codex /);
  });
});

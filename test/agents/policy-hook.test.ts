/**
 * The PreToolUse hook a Claude Code agent with a `policy:` runs (built:
 * dist/agents/claude/policy-hook.js), driven the way Claude Code drives it:
 * the tool call as JSON on stdin, exit 2 with the reason on stderr to
 * refuse, exit 0 to let the call through (Codex sends the same call); and the
 * command-line words that install it in each program.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runtimeAdapter } from "../../agents/index.js";

const HOOK = resolve(import.meta.dirname, "../../dist/agents/claude/policy-hook.js");
const POLICY = Buffer.from(JSON.stringify({ deny: [String.raw`\bterraform\b.*\sdestroy\b`], allow: [] })).toString("base64");

function hook(input: string, policy = POLICY): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [HOOK, policy], { input, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stderr: result.stderr };
}

const call = (tool: string, input: Record<string, unknown>) => JSON.stringify({ hook_event_name: "PreToolUse", tool_name: tool, tool_input: input });

describe("the policy hook", () => {
  it("refuses a denied Bash command with exit 2 and the policy's reason", () => {
    const denied = hook(call("Bash", { command: "cd infra && terraform destroy -auto-approve" }));
    expect(denied.status).toBe(2);
    expect(denied.stderr).toMatch(/^claude-agent: refused by policy rule deny/);
  });

  it("refuses what the default rules refuse, even with an empty policy", () => {
    const empty = Buffer.from(JSON.stringify({ deny: [], allow: [] })).toString("base64");
    expect(hook(call("Bash", { command: "rm -rf /" }), empty).status).toBe(2);
  });

  it("lets allowed commands and other tools through", () => {
    expect(hook(call("Bash", { command: "terraform plan" })).status).toBe(0);
    expect(hook(call("Write", { file_path: "/tmp/x", content: "terraform destroy" })).status).toBe(0);
  });

  it("refuses what it cannot read: garbage input, a Bash call without a command, a broken policy", () => {
    expect(hook("not json").status).toBe(2);
    expect(hook(call("Bash", {})).status).toBe(2);
    expect(hook(call("Bash", { command: "ls" }), "%%%").status).toBe(2);
  });

  it("is installed by the headless script's --settings only when the agent has a policy", () => {
    const job = { task: "t", promptFile: "/p", eventsFile: "/e", cwd: "/", command: null, model: null, args: [], resumeId: null, fresh: false };
    const paths = { configDir: "/c", node: "/usr/bin/node", renderer: "/r/render-stream.js" };
    expect(runtimeAdapter("claude").buildScript(job, paths)).not.toContain("--settings");
    const script = runtimeAdapter("claude").buildScript({ ...job, policy: { deny: ["x"], allow: [] } }, paths);
    expect(script).toContain("--settings");
    expect(script).toContain("PreToolUse");
    expect(script).toContain("policy-hook.js");
  });

  it("is given to Codex on its command line, trusted for that run, only when the agent has a policy", () => {
    const job = { task: "t", promptFile: "/p", eventsFile: "/e", cwd: "/", command: null, model: null, args: [], resumeId: null, fresh: false };
    const paths = { configDir: "/c", node: "/usr/bin/node", renderer: "/r/render-stream.js" };
    expect(runtimeAdapter("codex").buildScript(job, paths)).not.toMatch(/hook/);
    const script = runtimeAdapter("codex").buildScript({ ...job, policy: { deny: ["x"], allow: [] } }, paths);
    expect(script).toContain("--dangerously-bypass-hook-trust");
    expect(script).toContain("hooks={PreToolUse=[{matcher=");
    expect(script).toContain("policy-hook.js");
  });
});

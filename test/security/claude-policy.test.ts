/**
 * Issue 17 item 3: an agent's command `policy` binds the real Claude Code
 * (headless and interactive, inside the bwrap sandbox) through a PreToolUse
 * hook on its Bash tool. The scripted model asks for a denied command: the
 * hook refuses it before it runs, Claude Code passes our reason back to the
 * model as the tool's result, and the task reports the refusal; an allowed
 * command still runs. Bash is granted by `args` (headless) or auto_approve
 * (interactive), so only the hook stands in the way.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { startAnthropicServer } from "../fixtures/llm/anthropic.js";
import { TOOL_DONE_ANSWER } from "../fixtures/llm/scenario.js";
import { textsIn, useProgramSwarm } from "../agents/support.js";

const CLAUDE = resolve(import.meta.dirname, "../../node_modules/.bin/claude");
const RESULT_WAIT_MS = 60_000;

function yaml(mode: "headless" | "interactive") {
  return (url: string, cwd: string): string => `
agents:
  - name: ops
    runtime: claude
    mode: ${mode}
    command: ${CLAUDE}
    cwd: ${cwd}
    sandbox: bwrap
    policy:
      deny: ['\\bterraform\\b.*\\sdestroy\\b', '\\bkubectl\\b.*\\sdelete\\s+(ns|namespaces?)\\b']
    timeout: 60${mode === "interactive" ? "\n    auto_approve: true" : "\n    args: [--permission-mode, acceptEdits, --allowedTools, Bash]"}
    env:
      ANTHROPIC_API_KEY: sk-ant-test-0000000000000000000000
      ANTHROPIC_BASE_URL: ${url}
      DISABLE_AUTOUPDATER: 1
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: 1
`;
}

for (const mode of ["headless", "interactive"] as const) {
  describe(`the policy of a Claude Code agent (${mode})`, () => {
    const bash = {
      destroy: "touch destroyed-proof && terraform destroy -auto-approve",
      // Nested: the hook checks the code a `bash -c` runs too.
      nested: `bash -c "touch nested-proof; kubectl --context prod delete namespace payments"`,
      fine: "touch fine-proof && echo fine",
    };
    const t = useProgramSwarm({ agent: "ops", server: () => startAnthropicServer({ bash }), yaml: yaml(mode), resultWaitMs: RESULT_WAIT_MS });

    /** What the model got back for its tool calls, in the last request of the task that carried `marker` (interactive: the result file's write follows). */
    function toolResultAfter(marker: string): string {
      const requests = t.llm.agentRequests().filter((r) => JSON.stringify(r.body).includes(marker));
      const last = requests.at(-1)?.body as { messages?: { role: string; content: unknown }[] } | undefined;
      const results = (last?.messages ?? [])
        .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
        .filter((c: { type?: string }) => c.type === "tool_result");
      return textsIn(results).join("\n");
    }

    it("refuses a denied command before it runs and tells the model why", async () => {
      const result = await t.run("Tear it down [[bash:destroy]]", { fresh: true });
      expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER });
      expect(existsSync(join(t.work, "destroyed-proof"))).toBe(false);
      expect(toolResultAfter("[[bash:destroy]]")).toMatch(/refused by policy rule deny/);
    }, 90_000);

    it("refuses a denied command nested in bash -c", async () => {
      const result = await t.run("Clean up [[bash:nested]]");
      expect(result.status).toBe("completed");
      expect(existsSync(join(t.work, "nested-proof"))).toBe(false);
      expect(toolResultAfter("[[bash:nested]]")).toMatch(/refused by policy/);
    }, 90_000);

    it("lets an allowed command run", async () => {
      const result = await t.run("Do the fine thing [[bash:fine]]");
      expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER });
      expect(existsSync(join(t.work, "fine-proof"))).toBe(true);
    }, 90_000);
  });
}

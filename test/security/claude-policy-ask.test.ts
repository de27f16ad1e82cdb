/**
 * Policy `ask` rules bind the real Claude Code (headless and interactive,
 * inside the bwrap sandbox) through its PreToolUse hook: the scripted model
 * asks for a Bash command an ask rule matches; the hook raises an approval
 * item and waits; the command runs only once a person approves it through
 * `claude-agent answer`, and a denial reaches the model with the person's
 * reason. The hook's answer comes through a folder the sandbox shows
 * read-only (agents/policy-hook/ask-channel.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { InboxItem, TaskResult } from "../../core/index.js";
import { startAnthropicServer } from "../fixtures/llm/anthropic.js";
import { TOOL_DONE_ANSWER } from "../fixtures/llm/scenario.js";
import { waitFor } from "../helpers/wait.js";
import { cli } from "../llm/support.js";
import { textsIn, useProgramSwarm } from "../agents/support.js";

const CLAUDE = resolve(import.meta.dirname, "../../node_modules/.bin/claude");
const RESULT_WAIT_MS = 90_000;
/** Long enough for an unheld Bash call to have run several times over. */
const STAYS_MS = 1_500;

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
      ask: ['\\bkubectl\\b.*\\s--context[=\\s]\\S*prod']
    timeout: 120${mode === "interactive" ? "\n    auto_approve: true" : "\n    args: [--permission-mode, acceptEdits, --allowedTools, Bash]"}
    env:
      ANTHROPIC_API_KEY: sk-ant-test-0000000000000000000000
      ANTHROPIC_BASE_URL: ${url}
      DISABLE_AUTOUPDATER: 1
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: 1
`;
}

for (const mode of ["headless", "interactive"] as const) {
  describe(`an ask rule of a Claude Code agent (${mode})`, () => {
    const bash: Record<string, string> = {
      approved: "touch approved-proof; kubectl --context prod-eu version --client >/dev/null 2>&1; echo asked",
      denied: "touch denied-proof; kubectl --context prod-eu version --client; echo asked",
    };
    const t = useProgramSwarm({ agent: "ops", server: () => startAnthropicServer({ bash }), yaml: yaml(mode), resultWaitMs: RESULT_WAIT_MS });

    const items = async (): Promise<InboxItem[]> => JSON.parse((await cli(t.swarm, ["inbox", "--json"])).stdout).items;
    const askedItem = () =>
      waitFor("the Bash call's approval item", async () => (await items()).find((i) => i.source.type === "policy" && i.status === "open"), {
        everyMs: 250,
        timeoutMs: 60_000,
      });
    function toolResultAfter(marker: string): string {
      const requests = t.llm.agentRequests().filter((r) => JSON.stringify(r.body).includes(marker));
      const last = requests.at(-1)?.body as { messages?: { role: string; content: unknown }[] } | undefined;
      const results = (last?.messages ?? [])
        .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
        .filter((c: { type?: string }) => c.type === "tool_result");
      return textsIn(results).join("\n");
    }

    it("holds the Bash call in its hook until a person approves it in the inbox, then runs it", async () => {
      const running: Promise<TaskResult> = t.run("Check prod [[bash:approved]]", { fresh: true });
      const item = await askedItem();
      expect(item).toMatchObject({ kind: "approval", source: { type: "policy", agent: "ops" } });
      expect(item.source).toHaveProperty("call");
      expect(item.text).toContain("kubectl --context prod-eu version");
      await sleep(STAYS_MS);
      expect(existsSync(join(t.work, "approved-proof"))).toBe(false);
      expect((await cli(t.swarm, ["answer", item.id, "approve"])).exitCode).toBe(0);
      const result = await running;
      expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER });
      expect(existsSync(join(t.work, "approved-proof"))).toBe(true);
      expect(toolResultAfter("[[bash:approved]]")).toContain("asked");
    }, 150_000);

    it("refuses the call when the person denies it, and the model is told who refused and why", async () => {
      const running: Promise<TaskResult> = t.run("Check prod again [[bash:denied]]");
      const item = await askedItem();
      expect((await cli(t.swarm, ["answer", item.id, "deny", "--reason", "prod is frozen"])).exitCode).toBe(0);
      const result = await running;
      expect(result.status).toBe("completed");
      expect(existsSync(join(t.work, "denied-proof"))).toBe(false);
      expect(toolResultAfter("[[bash:denied]]")).toMatch(/refused by cli:\S+: prod is frozen/);
    }, 150_000);

    it("cannot forge an answer: the answers folder is read-only to the program's commands, the requests folder writable", async () => {
      const channel = join(t.swarm.home, "asks", "ops-1");
      const forged = join(channel, "answers", "0123456789abcdef.json");
      bash.forge = [
        `(echo '{"decision":"approve","by":"forger","digest":"x"}' > ${forged}) 2>/dev/null && echo answers-writable > forge-probe.txt || echo answers-read-only > forge-probe.txt`,
        `(touch ${join(channel, "requests", "probe")}) 2>/dev/null && echo requests-writable >> forge-probe.txt`,
        `rm -f ${join(channel, "requests", "probe")}`,
      ].join("; ");
      expect((await t.run("Try to forge [[bash:forge]]")).status).toBe("completed");
      expect(readFileSync(join(t.work, "forge-probe.txt"), "utf8")).toBe("answers-read-only\nrequests-writable\n");
      expect(existsSync(forged)).toBe(false);
    }, 150_000);
  });
}

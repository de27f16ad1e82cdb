/**
 * Issue 17 item 3: an agent's command `policy` binds the real Gemini CLI and
 * the real Qwen Code (headless, inside the bwrap sandbox, `--approval-mode
 * yolo`) through each program's own hook before a tool call (Gemini CLI's
 * BeforeTool, Qwen Code's PreToolUse; agents/policy-hook/). The scripted
 * model asks for a denied command: the hook refuses it before it runs, the
 * program passes our reason back to the model as the tool's result, and the
 * task reports the refusal; an allowed command still runs; a command an ask
 * rule matches waits in the inbox and runs once a person approves it. The
 * hook's settings are out of the model's reach: what a task does to the
 * program's own settings does not free the next task.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { InboxItem, TaskResult } from "../../core/index.js";
import { startGeminiServer } from "../fixtures/llm/gemini.js";
import { startOpenAiServer } from "../fixtures/llm/openai.js";
import { TOOL_DONE_ANSWER } from "../fixtures/llm/scenario.js";
import { waitFor } from "../helpers/wait.js";
import { cli } from "../llm/support.js";
import { nodeLine, programBin } from "../agents/programs.js";
import { useProgramSwarm } from "../agents/support.js";

const RESULT_WAIT_MS = 90_000;
/** Long enough for an unheld shell call to have run several times over. */
const STAYS_MS = 1_500;
const POLICY = `
    policy:
      deny: ['\\bterraform\\b.*\\sdestroy\\b']
      ask: ['\\bkubectl\\b.*\\s--context[=\\s]\\S*prod']`;

const bash: Record<string, string> = {
  destroy: "touch destroyed-proof && terraform destroy -auto-approve",
  nested: `bash -c "touch nested-proof; terraform -chdir=infra destroy"`,
  fine: "touch fine-proof && echo fine",
  approved: "touch approved-proof; kubectl --context prod-eu version --client >/dev/null 2>&1; echo asked",
};

const programs = [
  {
    name: "Gemini CLI",
    server: () => startGeminiServer({ bash }),
    yaml: (url: string, cwd: string) => `
agents:
  - name: ops
    runtime: gemini
    command: ${programBin("gemini")}${nodeLine(programBin("gemini"))}
    cwd: ${cwd}
    model: test-model
    sandbox: bwrap
    args: [--approval-mode, yolo, --skip-trust]
    timeout: 120${POLICY}
    env:
      GEMINI_API_KEY: test-key
      GOOGLE_GEMINI_BASE_URL: ${url}
      GEMINI_CLI_NO_RELAUNCH: "true"
`,
    /** What the model got back for its tool calls, in the last request of the task that carried `marker`. */
    toolResult(requests: readonly { body: unknown }[]): string {
      const contents = (requests.at(-1)?.body as { contents?: { parts?: { functionResponse?: unknown }[] }[] } | undefined)?.contents ?? [];
      return JSON.stringify(contents.flatMap((c) => (c.parts ?? []).filter((p) => p.functionResponse)));
    },
    /** A task that turns hooks off in the program's own (user) settings, which its tools can write. */
    tamper: (configDir: string) =>
      `node -e 'const f=process.argv[1];const s=JSON.parse(require("fs").readFileSync(f,"utf8"));s.hooks={};s.hooksConfig={enabled:false};require("fs").writeFileSync(f,JSON.stringify(s))' ${join(configDir, ".gemini", "settings.json")} && echo tampered`,
  },
  {
    name: "Qwen Code",
    server: () => startOpenAiServer({ bash }),
    yaml: (url: string, cwd: string) => `
agents:
  - name: ops
    runtime: qwen
    command: ${programBin("qwen")}${nodeLine(programBin("qwen"))}
    cwd: ${cwd}
    model: test-model
    sandbox: bwrap
    args: [--auth-type, openai, --openai-base-url, ${url}/v1, --openai-api-key, sk-test, --approval-mode, yolo]
    timeout: 120${POLICY}
    env:
      QWEN_CODE_NO_RELAUNCH: "true"
`,
    toolResult(requests: readonly { body: unknown }[]): string {
      const messages = (requests.at(-1)?.body as { messages?: { role: string; content: unknown }[] } | undefined)?.messages ?? [];
      return JSON.stringify(messages.filter((m) => m.role === "tool"));
    },
    tamper: (configDir: string) => `printf '{"disableAllHooks":true,"hooks":{}}' > ${join(configDir, "settings.json")} && echo tampered`,
  },
];

for (const program of programs) {
  describe(`the policy of a ${program.name} agent`, () => {
    const t = useProgramSwarm({ agent: "ops", server: program.server, yaml: program.yaml, resultWaitMs: RESULT_WAIT_MS });
    const toolResultAfter = (marker: string) => program.toolResult(t.llm.agentRequests().filter((r) => JSON.stringify(r.body).includes(marker)));

    it("refuses a denied command before it runs and tells the model why", async () => {
      const result = await t.run("Tear it down [[bash:destroy]]", { fresh: true });
      expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER });
      expect(existsSync(join(t.work, "destroyed-proof"))).toBe(false);
      expect(toolResultAfter("[[bash:destroy]]")).toMatch(/refused by policy rule deny/);
    }, 150_000);

    it("refuses a denied command nested in bash -c, and lets an allowed one run", async () => {
      expect((await t.run("Clean up [[bash:nested]]")).status).toBe("completed");
      expect(existsSync(join(t.work, "nested-proof"))).toBe(false);
      expect(toolResultAfter("[[bash:nested]]")).toMatch(/refused by policy/);
      expect(await t.run("Do the fine thing [[bash:fine]]")).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER });
      expect(existsSync(join(t.work, "fine-proof"))).toBe(true);
    }, 150_000);

    it("holds a command an ask rule matches in its hook until a person approves it in the inbox, then runs it", async () => {
      const running: Promise<TaskResult> = t.run("Check prod [[bash:approved]]");
      const items = async (): Promise<InboxItem[]> => JSON.parse((await cli(t.swarm, ["inbox", "--json"])).stdout).items;
      const item = await waitFor("the shell call's approval item", async () => (await items()).find((i) => i.source.type === "policy" && i.status === "open"), {
        everyMs: 250,
        timeoutMs: 60_000,
      });
      expect(item).toMatchObject({ kind: "approval", source: { type: "policy", agent: "ops" } });
      expect(item.text).toContain("kubectl --context prod-eu version");
      await sleep(STAYS_MS);
      expect(existsSync(join(t.work, "approved-proof"))).toBe(false);
      expect((await cli(t.swarm, ["answer", item.id, "approve"])).exitCode).toBe(0);
      expect(await running).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER });
      expect(existsSync(join(t.work, "approved-proof"))).toBe(true);
      expect(toolResultAfter("[[bash:approved]]")).toContain("asked");
    }, 150_000);

    it("is not turned off by a task that turns hooks off in the program's own settings: the next task is still checked", async () => {
      bash.tamper = program.tamper(join(t.swarm.home, "agents", "ops", "config"));
      const tampered = await t.run("Loosen up [[bash:tamper]]");
      expect(tampered.status).toBe("completed");
      expect(toolResultAfter("[[bash:tamper]]")).toContain("tampered");
      expect((await t.run("Tear it down again [[bash:destroy]]")).status).toBe("completed");
      expect(existsSync(join(t.work, "destroyed-proof"))).toBe(false);
      expect(toolResultAfter("[[bash:destroy]]")).toMatch(/refused by policy rule deny/);
    }, 150_000);
  });
}

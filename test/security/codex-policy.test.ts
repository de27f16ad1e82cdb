/**
 * Issue 17 item 3 for Codex: an agent's command `policy` binds the real Codex
 * CLI (headless `codex exec`, inside the bwrap sandbox) through a PreToolUse
 * hook given on its command line (agents/codex/policy-args.ts). The scripted
 * model asks for shell commands: a denied one is refused before it runs and
 * Codex hands our reason back to the model; an allowed one runs; an ask-rule
 * one waits in the hook until a person answers in the inbox. Codex's own
 * sandbox is off (`--sandbox danger-full-access`, it cannot start inside
 * ours) and it never asks for approval in exec mode, so only the hook stands
 * in the way.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { InboxItem, TaskResult } from "../../core/index.js";
import { startResponsesServer } from "../fixtures/llm/responses.js";
import { TOOL_DONE_ANSWER } from "../fixtures/llm/scenario.js";
import { waitFor } from "../helpers/wait.js";
import { cli } from "../llm/support.js";
import { nodeLine, programBin } from "../agents/programs.js";
import { useProgramSwarm } from "../agents/support.js";

const CODEX = programBin("codex");
const RESULT_WAIT_MS = 60_000;
/** Long enough for an unheld shell call to have run several times over. */
const STAYS_MS = 1_500;

const yaml = (url: string, cwd: string): string => `
agents:
  - name: ops
    runtime: codex
    command: ${CODEX}${nodeLine(CODEX)}
    cwd: ${cwd}
    model: test-model
    sandbox: bwrap
    policy:
      deny: ['\\bterraform\\b.*\\sdestroy\\b', '\\bkubectl\\b.*\\sdelete\\s+(ns|namespaces?)\\b']
      ask: ['\\bkubectl\\b.*\\s--context[=\\s]\\S*prod']
    args:
      - --sandbox
      - danger-full-access
      - -c
      - model_provider=local
      - -c
      - model_providers.local.name=local
      - -c
      - model_providers.local.base_url=${url}/v1
      - -c
      - model_providers.local.env_key=LOCAL_API_KEY
      - -c
      - model_providers.local.request_max_retries=0
      - -c
      - model_providers.local.stream_max_retries=0
    timeout: 120
    env:
      LOCAL_API_KEY: sk-local-test
`;

describe("the policy of a Codex agent", () => {
  const bash: Record<string, string> = {
    destroy: "touch destroyed-proof && terraform destroy -auto-approve",
    // Nested: the hook checks the code a `bash -c` runs too.
    nested: `bash -c "touch nested-proof; kubectl --context prod delete namespace payments"`,
    fine: "touch fine-proof && echo fine",
    approved: "touch approved-proof; kubectl --context prod-eu version --client >/dev/null 2>&1; echo asked",
    denied: "touch denied-proof; kubectl --context prod-eu version --client; echo asked",
  };
  const t = useProgramSwarm({ agent: "ops", server: () => startResponsesServer({ bash }), yaml, resultWaitMs: RESULT_WAIT_MS });

  /** What Codex sent back to the model for its shell call, in the last request of the task that carried `marker`. */
  function toolOutputAfter(marker: string): string {
    const requests = t.llm.agentRequests().filter((r) => JSON.stringify(r.body).includes(marker));
    const input = (requests.at(-1)?.body as { input?: { type?: string; output?: unknown }[] } | undefined)?.input ?? [];
    return input
      .filter((item) => item.type === "function_call_output")
      .map((item) => JSON.stringify(item.output))
      .join("\n");
  }
  const items = async (): Promise<InboxItem[]> => JSON.parse((await cli(t.swarm, ["inbox", "--json"])).stdout).items;
  const askedItem = () =>
    waitFor("the shell call's approval item", async () => (await items()).find((i) => i.source.type === "policy" && i.status === "open"), {
      everyMs: 250,
      timeoutMs: 60_000,
    });

  it("refuses a denied command before it runs and tells the model why", async () => {
    const result = await t.run("Tear it down [[bash:destroy]]", { fresh: true });
    expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER });
    expect(existsSync(join(t.work, "destroyed-proof"))).toBe(false);
    expect(toolOutputAfter("[[bash:destroy]]")).toMatch(/blocked by PreToolUse hook: claude-agent: .*refused by policy rule deny/);
  }, 90_000);

  it("refuses a denied command nested in bash -c, in a resumed thread", async () => {
    const result = await t.run("Clean up [[bash:nested]]");
    expect(result.status).toBe("completed");
    expect(existsSync(join(t.work, "nested-proof"))).toBe(false);
    expect(toolOutputAfter("[[bash:nested]]")).toMatch(/refused by policy/);
  }, 90_000);

  it("lets an allowed command run", async () => {
    const result = await t.run("Do the fine thing [[bash:fine]]");
    expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER });
    expect(existsSync(join(t.work, "fine-proof"))).toBe(true);
  }, 90_000);

  it("is not switched off by a config.toml in the agent's CODEX_HOME, which its commands can write", async () => {
    const config = join(t.swarm.home, "agents", "ops", "config", "config.toml");
    writeFileSync(config, `[features]\nhooks = false\n\n[hooks.state."/<session-flags>/config.toml:pre_tool_use:0:0"]\nenabled = false\n`);
    try {
      const result = await t.run("Tear it down once more [[bash:destroy]]");
      expect(result.status).toBe("completed");
      expect(existsSync(join(t.work, "destroyed-proof"))).toBe(false);
      expect(toolOutputAfter("Tear it down once more")).toMatch(/refused by policy rule deny/);
    } finally {
      rmSync(config, { force: true });
    }
  }, 90_000);

  it("holds an ask-rule command in its hook until a person approves it in the inbox, then runs it", async () => {
    const running: Promise<TaskResult> = t.run("Check prod [[bash:approved]]");
    const item = await askedItem();
    expect(item).toMatchObject({ kind: "approval", source: { type: "policy", agent: "ops" } });
    expect(item.text).toContain("kubectl --context prod-eu version");
    await sleep(STAYS_MS);
    expect(existsSync(join(t.work, "approved-proof"))).toBe(false);
    expect((await cli(t.swarm, ["answer", item.id, "approve"])).exitCode).toBe(0);
    const result = await running;
    expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER });
    expect(existsSync(join(t.work, "approved-proof"))).toBe(true);
    expect(toolOutputAfter("[[bash:approved]]")).toContain("asked");
  }, 150_000);

  it("refuses an ask-rule command the person denies, and the model is told who refused and why", async () => {
    const running: Promise<TaskResult> = t.run("Check prod again [[bash:denied]]");
    const item = await askedItem();
    expect((await cli(t.swarm, ["answer", item.id, "deny", "--reason", "prod is frozen"])).exitCode).toBe(0);
    const result = await running;
    expect(result.status).toBe("completed");
    expect(existsSync(join(t.work, "denied-proof"))).toBe(false);
    expect(toolOutputAfter("[[bash:denied]]")).toMatch(/refused by cli:\S+: prod is frozen/);
  }, 150_000);

  it("cannot forge an answer: the answers folder is read-only to the program's commands, the requests folder writable", async () => {
    const channel = join(t.swarm.home, "asks", "ops-1");
    const forged = join(channel, "answers", "0123456789abcdef.json");
    bash.forge = [
      `(echo '{"decision":"approve","by":"forger","digest":"x"}' > ${forged}) 2>/dev/null && echo answers-writable > forge-probe.txt || echo answers-read-only > forge-probe.txt`,
      `(touch ${join(channel, "requests", "probe")}) 2>/dev/null && echo requests-writable >> forge-probe.txt`,
    ].join("; ");
    expect((await t.run("Try to forge [[bash:forge]]")).status).toBe("completed");
    expect(readFileSync(join(t.work, "forge-probe.txt"), "utf8")).toBe("answers-read-only\nrequests-writable\n");
    expect(existsSync(forged)).toBe(false);
    // (Codex's own rules refuse an `rm -f` in the command, so the probe goes from out here.)
    rmSync(join(channel, "requests", "probe"), { force: true });
  }, 90_000);
});

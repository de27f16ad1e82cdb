/**
 * Finding 3 (c) for agent programs: with `sandbox: bwrap` the real Claude
 * Code (headless and interactive) and Qwen Code (the pinned dev
 * dependencies) run inside bubblewrap against our local model servers, do
 * their work (their config folder, prompt and event files, result and hook
 * files reachable), and the commands they run for the model see nothing of
 * the swarm's home and cannot write outside their folder.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { HomePaths } from "../../core/index.js";
import { startAnthropicServer } from "../fixtures/llm/anthropic.js";
import { startOpenAiServer } from "../fixtures/llm/openai.js";
import { PLAIN_ANSWER, TOOL_DONE_ANSWER } from "../fixtures/llm/scenario.js";
import { useProgramSwarm } from "../agents/support.js";

const CLAUDE = resolve(import.meta.dirname, "../../node_modules/.bin/claude");
const QWEN = resolve(import.meta.dirname, "../../node_modules/.bin/qwen");
const RESULT_WAIT_MS = 60_000;
const PROBE_FILE = "sandbox-probe.txt";

/**
 * A command for the program's shell tool: it lists what it can see of the
 * swarm's home and writes outside its folder, into a file in its folder. The
 * sandbox leaves that file holding just "probed".
 */
function probe(paths: HomePaths, outside: string): string {
  const secrets = [paths.redisSocket, paths.tmuxSocket, paths.configCopy, join(paths.root, "swarm.yaml"), paths.outputDir, paths.logsDir];
  return [
    `{ for p in ${secrets.join(" ")} ${paths.jobsDir}/*.meta ${paths.jobsDir}/*.claim; do [ -e "$p" ] && echo "visible $p"; done`,
    `touch ${outside} 2>/dev/null && echo "wrote ${outside}"`,
    `env | grep -E '^(TMUX|CA_HOME|CLAUDE_AGENT_HOME|REDIS_URL)='`,
    `echo probed; } > ${PROBE_FILE} 2>&1`,
  ].join("; ");
}

/** A path outside every agent's folder, on the read-only part of the filesystem (not the sandbox's own /tmp). */
function outsidePath(tag: string): string {
  return `/var/tmp/ca-escaped-${tag}-${process.pid}-${Date.now()}`;
}

function claudeYaml(mode: "headless" | "interactive") {
  return (url: string, cwd: string): string => `
agents:
  - name: coder
    runtime: claude
    mode: ${mode}
    command: ${CLAUDE}
    cwd: ${cwd}
    sandbox: bwrap
    timeout: 60${mode === "interactive" ? "\n    auto_approve: true" : "\n    args: [--permission-mode, acceptEdits, --allowedTools, Bash]"}
    env:
      ANTHROPIC_API_KEY: sk-ant-test-0000000000000000000000
      ANTHROPIC_BASE_URL: ${url}
      DISABLE_AUTOUPDATER: 1
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: 1
`;
}

for (const mode of ["headless", "interactive"] as const) {
  describe(`Claude Code (${mode}) in a bwrap sandbox`, () => {
    const bash: Record<string, string> = {};
    const t = useProgramSwarm({ agent: "coder", server: () => startAnthropicServer({ bash }), yaml: claudeYaml(mode), resultWaitMs: RESULT_WAIT_MS });

    it("answers, keeping its conversation in its own config folder", async () => {
      const result = await t.run("What is the answer? [[plain]]", { fresh: true });
      expect(result).toMatchObject({ status: "completed", answer: PLAIN_ANSWER });
      expect(result.agentSessionId).toBe(await t.storedConversation());
    }, 90_000);

    it("runs the commands the model asks for inside the sandbox: the swarm's home invisible, only its folder writable", async () => {
      const outside = outsidePath(mode);
      bash.probe = probe(t.swarm.paths, outside);
      const before = await t.storedConversation();
      const result = await t.run("Probe your surroundings [[bash:probe]]");
      expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER, agentSessionId: before });
      expect(readFileSync(join(t.work, PROBE_FILE), "utf8")).toBe("probed\n");
      expect(existsSync(outside)).toBe(false);
    }, 90_000);

    if (mode === "interactive") {
      it("is the pane's own program, started through bwrap with no capabilities", async () => {
        const pid = execFileSync("tmux", ["-S", t.swarm.paths.tmuxSocket, "list-panes", "-t", "=coder-1", "-F", "#{pane_pid}"], { encoding: "utf8" }).trim();
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        expect(argv[0]).toBe("bwrap");
        expect(argv.slice(argv.indexOf("--") + 1)[0]).toBe(CLAUDE);
        expect(argv).toContain("--unshare-pid");
      });
    }
  });
}

describe("Qwen Code in a bwrap sandbox", () => {
  const scripts = {
    probe: (turn: { step: number }) =>
      turn.step === 0 ? { toolCalls: [{ name: "run_shell_command", args: { command: qwenProbe.command, description: "probe" } }] } : { text: TOOL_DONE_ANSWER },
  };
  const qwenProbe = { command: "" };
  const t = useProgramSwarm({
    agent: "qwen",
    server: () => startOpenAiServer({ scripts }),
    yaml: (url: string, cwd: string) => `
agents:
  - name: qwen
    runtime: qwen
    command: ${QWEN}
    cwd: ${cwd}
    model: test-model
    sandbox: bwrap
    args: [--auth-type, openai, --openai-base-url, ${url}/v1, --openai-api-key, sk-test, --approval-mode, yolo]
    timeout: 60
    env:
      QWEN_CODE_NO_RELAUNCH: "true"
`,
    resultWaitMs: RESULT_WAIT_MS,
  });

  it("runs its shell tool inside the sandbox and reports its answer and session", async () => {
    const outside = outsidePath("qwen");
    qwenProbe.command = probe(t.swarm.paths, outside);
    const result = await t.run("Probe your surroundings [[script:probe]]");
    expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER });
    expect(result.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(readFileSync(join(t.work, PROBE_FILE), "utf8")).toBe("probed\n");
    expect(existsSync(outside)).toBe(false);
  }, 90_000);

  it("continues its conversation on the next task (its config folder persists)", async () => {
    const before = await t.storedConversation();
    const result = await t.run("What did I tag? tag-two [[recall]]");
    expect(result).toMatchObject({ status: "completed", agentSessionId: before });
  }, 90_000);
});

/**
 * The scripts adapters generate, run for real with bash: a stand-in program
 * (test/fixtures/agents/fake-program.sh) records what it was given, prints a
 * recorded event stream, and the built renderer turns it into pane text.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runtimeAdapter, type AgentJob, type ScriptPaths } from "../../agents/index.js";
import { RUNTIMES, type Runtime } from "../../core/index.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/agents");
const FAKE = join(FIXTURES, "fake-program.sh");
const RENDERER = resolve(import.meta.dirname, "../../dist/agents/render-stream.js");
const HOSTILE = `$(touch /tmp/pwned) \`id\` "quoted" 'single' ; rm -rf ~ && echo !bang`;

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function setup(runtime: Runtime, overrides: Partial<AgentJob> = {}): { dir: string; job: AgentJob; paths: ScriptPaths; script: string } {
  const dir = mkdtempSync(join(tmpdir(), "ca-script-"));
  dirs.push(dir);
  const job: AgentJob = {
    task: HOSTILE,
    promptFile: join(dir, "T1-1.prompt"),
    eventsFile: join(dir, "T1-1.events.jsonl"),
    cwd: dir,
    command: FAKE,
    model: null,
    args: [],
    resumeId: null,
    fresh: false,
    ...overrides,
  };
  writeFileSync(job.promptFile, job.task);
  const paths: ScriptPaths = { configDir: join(dir, "config dir"), node: process.execPath, renderer: RENDERER };
  return { dir, job, paths, script: runtimeAdapter(runtime).buildScript(job, paths) };
}

function run(script: string, dir: string, events: string, exit = 0): { status: number; stdout: string } {
  const result = spawnSync("bash", ["-c", script], {
    cwd: dir,
    env: { ...process.env, FAKE_DIR: dir, FAKE_EVENTS: join(FIXTURES, events), FAKE_EXIT: String(exit) },
    encoding: "utf8",
  });
  return { status: result.status ?? -1, stdout: result.stdout };
}

const argvOf = (dir: string): string[] => readFileSync(join(dir, "argv"), "utf8").trimEnd().split("\n");

describe("every agent program's script", () => {
  it.each(RUNTIMES.filter((r) => r !== "shell"))("%s: never contains the task text", (runtime) => {
    const { script } = setup(runtime, { model: "m-1", args: ["--flag"], resumeId: "abc" });
    expect(script).not.toContain("pwned");
    expect(script).not.toContain("bang");
    expect(execFileSync("bash", ["-n", "-c", script]).toString()).toBe("");
  });

  it("shell: the task is the script", () => {
    expect(setup("shell").script).toBe(HOSTILE);
  });
});

describe("claude's script", () => {
  it("runs the program with our flags, the prompt on stdin and its config folder, and exits with its code", () => {
    const { dir, job, script } = setup("claude", { model: "sonnet", args: ["--permission-mode", "acceptEdits"], resumeId: "sess-1" });
    const { status, stdout } = run(script, dir, "claude/plain.jsonl", 3);
    expect(status).toBe(3);
    expect(argvOf(dir)).toEqual([
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      "--model",
      "sonnet",
      "--resume",
      "sess-1",
      "--permission-mode",
      "acceptEdits",
    ]);
    expect(readFileSync(join(dir, "stdin"), "utf8")).toBe(HOSTILE);
    expect(readFileSync(join(dir, "env"), "utf8")).toContain(`CLAUDE_CONFIG_DIR=${join(dir, "config dir")}`);
    expect(existsSync(join(dir, "config dir"))).toBe(true);
    // The events file holds the stream (and stderr); the pane gets readable text.
    const events = readFileSync(job.eventsFile, "utf8");
    expect(events).toContain(`"type":"result"`);
    expect(events).toContain("a line on stderr");
    expect(stdout).toContain("The answer is 42.");
    expect(stdout).toMatch(/✔ done · 1 turns · \$0\.008\d · [\d.]+ s/);
    expect(stdout).not.toContain(`"type"`);
    expect(runtimeAdapter("claude").parseEvents(events)).toMatchObject({ answer: "The answer is 42." });
  });

  it("does not resume when the task asks for a fresh conversation", () => {
    const { dir, script } = setup("claude", { resumeId: "sess-1", fresh: true });
    run(script, dir, "claude/plain.jsonl");
    expect(argvOf(dir)).not.toContain("--resume");
  });

  it("renders tool calls and their results", () => {
    const { dir, script } = setup("claude");
    const { stdout } = run(script, dir, "claude/tool.jsonl");
    expect(stdout).toContain("⚙ Bash: echo written-by-the-agent > tool-proof.txt && echo tool-ran");
    expect(stdout).toContain("⎿ tool-ran");
  });
});

describe("the other programs' command lines", () => {
  it("qwen", () => {
    const { dir, script } = setup("qwen", { model: "qwen3-coder", resumeId: "q-1", args: ["--approval-mode", "yolo"] });
    const { stdout } = run(script, dir, "qwen/plain.jsonl");
    expect(argvOf(dir)).toEqual(["--output-format", "stream-json", "--model", "qwen3-coder", "--resume", "q-1", "--approval-mode", "yolo"]);
    expect(readFileSync(join(dir, "env"), "utf8")).toContain(`QWEN_HOME=${join(dir, "config dir")}`);
    expect(stdout).toContain("The answer is 42.");
  });

  it("codex: new thread, and resume with the prompt from stdin", () => {
    const fresh = setup("codex", { model: "gpt-5-codex", args: ["--sandbox", "workspace-write"] });
    run(fresh.script, fresh.dir, "codex/tool.jsonl");
    expect(argvOf(fresh.dir)).toEqual(["exec", "--json", "--skip-git-repo-check", "--model", "gpt-5-codex", "--sandbox", "workspace-write", "-"]);
    expect(readFileSync(join(fresh.dir, "env"), "utf8")).toContain(`CODEX_HOME=${join(fresh.dir, "config dir")}`);
    const resumed = setup("codex", { resumeId: "0199a213" });
    const { stdout } = run(resumed.script, resumed.dir, "codex/tool.jsonl");
    expect(argvOf(resumed.dir)).toEqual(["exec", "--json", "--skip-git-repo-check", "resume", "0199a213", "-"]);
    expect(readFileSync(join(resumed.dir, "stdin"), "utf8")).toBe(HOSTILE);
    expect(stdout).toContain("⚙ $ /bin/bash -lc 'echo written-by-the-agent > tool-proof.txt && echo tool-ran'");
    expect(stdout).toContain("I ran the command and wrote the file.");
  });

  it("gemini", () => {
    const { dir, script } = setup("gemini", { model: "gemini-2.5-pro", resumeId: "g-1" });
    const { stdout } = run(script, dir, "gemini/tool.jsonl");
    expect(argvOf(dir)).toEqual(["--output-format", "stream-json", "--model", "gemini-2.5-pro", "--resume", "g-1"]);
    expect(readFileSync(join(dir, "env"), "utf8")).toContain(`GEMINI_CLI_HOME=${join(dir, "config dir")}`);
    expect(stdout).toContain("I ran the command and wrote the file.");
    expect(stdout).toContain("⚙ run_shell_command");
  });

  it("aider: the prompt as --message-file, a chat file of our own, restored on resume", () => {
    const first = setup("aider", { model: "sonnet" });
    const { stdout } = run(first.script, first.dir, "aider/plain.txt");
    const configDir = join(first.dir, "config dir");
    expect(argvOf(first.dir)).toEqual([
      "--message-file",
      first.job.promptFile,
      "--yes-always",
      "--no-suggest-shell-commands",
      "--no-pretty",
      "--no-fancy-input",
      "--no-check-update",
      "--no-show-release-notes",
      "--analytics-disable",
      "--chat-history-file",
      `${configDir}/chats/T1-1.md`,
      "--input-history-file",
      `${configDir}/input.history`,
      "--model",
      "sonnet",
    ]);
    expect(readFileSync(join(first.dir, "stdin"), "utf8")).toBe("");
    expect(stdout.split("\n")[0]).toBe("claude-agent: aider chat T1-1");
    expect(existsSync(join(configDir, "chats"))).toBe(true);
    const events = readFileSync(first.job.eventsFile, "utf8");
    expect(runtimeAdapter("aider").parseEvents(events).conversationId).toBe("T1-1");
    const resumed = setup("aider", { resumeId: "T0001-1" });
    run(resumed.script, resumed.dir, "aider/plain.txt");
    expect(argvOf(resumed.dir)).toContain(`${join(resumed.dir, "config dir")}/chats/T0001-1.md`);
    expect(argvOf(resumed.dir)).toContain("--restore-chat-history");
  });
});

describe("render-stream.js", () => {
  it("passes lines that are not events through and survives garbage", () => {
    const result = spawnSync(process.execPath, [RENDERER, "claude"], { input: 'plain text\n{not json\n{"type":"mystery"}\n', encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("plain text\n{not json\n");
  });

  it("shows lines as they are for an unknown runtime", () => {
    const result = spawnSync(process.execPath, [RENDERER, "nope"], { input: "a\nb\n", encoding: "utf8" });
    expect(result.stdout).toBe("a\nb\n");
  });
});

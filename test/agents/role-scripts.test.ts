/**
 * How each program's script hands the role over, run for real with bash and
 * the stand-in program (test/fixtures/agents/fake-program.sh): the role is
 * written to a file in the agent's config folder and only that file's path
 * (or its content, read when the script runs) reaches the program. The
 * role's text, hostile to a shell, is never part of the script.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runtimeAdapter, writeRoleFile, type AgentJob, type ScriptPaths } from "../../agents/index.js";
import type { Runtime } from "../../core/index.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/agents");
const FAKE = join(FIXTURES, "fake-program.sh");
const RENDERER = resolve(import.meta.dirname, "../../dist/agents/render-stream.js");
const ROLE = `- You review code. $(touch /tmp/role-pwned) \`id\` "quoted" 'single' ; rm -rf ~ && echo !bang\n\nSecond paragraph.`;

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function withRole(runtime: Runtime, role: string | null = ROLE): { dir: string; configDir: string; script: string; roleFile: string | null } {
  const dir = mkdtempSync(join(tmpdir(), "ca-role-script-"));
  dirs.push(dir);
  const configDir = join(dir, "config dir");
  const roleFile = writeRoleFile(runtime, configDir, role);
  const job: AgentJob = {
    task: "the task",
    promptFile: join(dir, "T1-1.prompt"),
    eventsFile: join(dir, "T1-1.events.jsonl"),
    cwd: dir,
    command: FAKE,
    model: null,
    args: [],
    resumeId: null,
    fresh: false,
    role,
    roleFile,
  };
  writeFileSync(job.promptFile, job.task);
  const paths: ScriptPaths = { configDir, node: process.execPath, renderer: RENDERER };
  return { dir, configDir, roleFile, script: runtimeAdapter(runtime).buildScript(job, paths) };
}

function argvOf(dir: string, script: string): string[] {
  const result = spawnSync("bash", ["-c", script], {
    cwd: dir,
    env: { ...process.env, FAKE_DIR: dir, FAKE_EVENTS: join(FIXTURES, "claude/plain.jsonl") },
    encoding: "utf8",
  });
  expect(result.status).toBe(0);
  // NUL-free argv lines: the fake program prints each argument on its own line(s).
  return readFileSync(join(dir, "argv"), "utf8").trimEnd().split("\n");
}

describe("the role in each program's script", () => {
  it.each(["claude", "qwen", "codex", "gemini", "aider", "langchain"] as const)("%s: the role's text is never part of the script", (runtime) => {
    const { script } = withRole(runtime);
    expect(script).not.toContain("role-pwned");
    expect(script).not.toContain("Second paragraph");
    expect(execFileSync("bash", ["-n", "-c", script]).toString()).toBe("");
  });

  it("claude: --append-system-prompt-file names the role file, which holds the text as written", () => {
    const { dir, script, roleFile } = withRole("claude");
    const argv = argvOf(dir, script);
    expect(argv.slice(argv.indexOf("--append-system-prompt-file"), argv.indexOf("--append-system-prompt-file") + 2)).toEqual([
      "--append-system-prompt-file",
      roleFile,
    ]);
    expect(readFileSync(roleFile!, "utf8")).toBe(ROLE);
  });

  it("qwen: --append-system-prompt=TEXT in one word, the text read from the file when the script runs", () => {
    const { dir, script } = withRole("qwen");
    const args = readArgs(dir, script);
    expect(args).toContain(`--append-system-prompt=${ROLE}`);
    expect(spawnSync("test", ["-e", "/tmp/role-pwned"]).status).not.toBe(0);
  });

  it("aider: the role file as a read-only file of the chat (--read)", () => {
    const { dir, script, roleFile } = withRole("aider");
    const argv = argvOf(dir, script);
    expect(argv[argv.indexOf("--read") + 1]).toBe(roleFile);
  });

  it("codex and gemini: nothing on the command line; the role is in the instruction file each reads from its home", () => {
    for (const runtime of ["codex", "gemini"] as const) {
      const { dir, configDir, script } = withRole(runtime);
      expect(argvOf(dir, script).join("\n")).not.toContain("You review code");
      const file = runtime === "codex" ? join(configDir, "AGENTS.md") : join(configDir, ".gemini", "GEMINI.md");
      expect(readFileSync(file, "utf8")).toContain(`\n${ROLE}\n`);
    }
  });

  it("langchain: --role-file names the file", () => {
    const { script, roleFile } = withRole("langchain");
    expect(script).toContain(` --role-file ${`'${roleFile}'`}`);
  });

  it("no role, no flag", () => {
    for (const runtime of ["claude", "qwen", "aider"] as const) {
      const { dir, script } = withRole(runtime, null);
      expect(argvOf(dir, script).join(" ")).not.toMatch(/append-system-prompt|--read/);
    }
  });
});

/** argv as the program got it, each argument whole (arguments may hold newlines): recorded NUL-separated. */
function readArgs(dir: string, script: string): string[] {
  const recorder = join(dir, "record-args.sh");
  writeFileSync(recorder, `#!/bin/bash\nprintf '%s\\0' "$@" > "$FAKE_DIR/args0"\ncat > /dev/null\n`, { mode: 0o755 });
  const result = spawnSync("bash", ["-c", script.replace(shellPath(FAKE), shellPath(recorder))], {
    cwd: dir,
    env: { ...process.env, FAKE_DIR: dir },
    encoding: "utf8",
  });
  expect(result.status).toBe(0);
  return readFileSync(join(dir, "args0"), "utf8").split("\0").slice(0, -1);
}

function shellPath(path: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(path) ? path : `'${path}'`;
}

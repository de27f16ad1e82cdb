/**
 * Program discovery for `doctor` and `init`, with stand-in programs on a
 * temporary PATH (a version printer, one that hangs) and the real Claude
 * Code and Qwen Code found in claude-agent's own node_modules/.bin.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../core/index.js";
import { discoverPrograms, type ProgramReport } from "./agent-programs.js";
import { init } from "./commands/init.js";
import { runCli } from "../test/helpers/swarm.js";

const root = mkdtempSync(join(tmpdir(), "ca-programs-"));
const bin = join(root, "bin");
const home = join(root, "home");
mkdirSync(bin);
mkdirSync(join(home, ".qwen"), { recursive: true });
writeFileSync(join(home, ".qwen", "oauth_creds.json"), "{}");
function program(name: string, body: string): void {
  writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
}
program("codex", 'echo "codex-cli 0.98.0"');
program("gemini", "sleep 30");
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** PATH holds only our stand-ins and the system's tools: nothing the developer installed globally. */
const env = { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, CODEX_API_KEY: "sk-test" };
/** The Claude Code release package.json pins (its devDependency). */
const PINNED_CLAUDE = (JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as { devDependencies: Record<string, string> })
  .devDependencies["@anthropic-ai/claude-code"]!;
const byName = (reports: ProgramReport[], name: string): ProgramReport => reports.find((r) => r.runtime === name)!;

describe("discoverPrograms", () => {
  it("reports each program: where it is, its version, whether it is ready, and the fix when not", async () => {
    const reports = await discoverPrograms({ env, cwd: root, userHome: home, versionTimeoutMs: 1500 });
    expect(reports.map((r) => r.runtime)).toEqual(["claude", "codex", "gemini", "qwen", "aider"]);
    for (const report of reports) {
      expect(report).toEqual(expect.objectContaining({ installed: expect.any(Boolean), ready: expect.any(Boolean), detail: expect.any(String) }));
      if (!report.ready) expect(report.fix).toEqual(expect.any(String));
    }
    // On PATH, with a key in the environment.
    expect(byName(reports, "codex")).toMatchObject({ installed: true, path: join(bin, "codex"), version: "codex-cli 0.98.0", ready: true });
    expect(byName(reports, "codex").detail).toContain("CODEX_API_KEY set");
    expect(byName(reports, "codex").detail).not.toContain("sk-test");
    // A --version that hangs is cut off; the program still counts as installed.
    expect(byName(reports, "gemini")).toMatchObject({ installed: true, version: null, ready: false, fix: expect.stringContaining("GEMINI_API_KEY") });
    // In claude-agent's own node_modules/.bin, no key and no login.
    expect(byName(reports, "claude")).toMatchObject({ installed: true, version: expect.stringContaining(PINNED_CLAUDE), ready: false });
    expect(byName(reports, "claude").path).toMatch(/node_modules\/\.bin\/claude$/);
    expect(byName(reports, "claude").fix).toMatch(/ANTHROPIC_API_KEY.*claude \/login/);
    // Logged in: the login file in the user's home.
    expect(byName(reports, "qwen")).toMatchObject({ installed: true, ready: true });
    expect(byName(reports, "qwen").detail).toContain(join(home, ".qwen", "oauth_creds.json"));
    expect(byName(reports, "aider")).toMatchObject({ installed: false, ready: false, fix: expect.stringContaining("aider-install") });
  });

  it("finds Claude Code ready with an API key", async () => {
    const reports = await discoverPrograms({ env: { ...env, ANTHROPIC_API_KEY: "sk-ant-x" }, cwd: root, userHome: home, versionTimeoutMs: 1500 });
    expect(byName(reports, "claude")).toMatchObject({ ready: true, detail: expect.stringContaining("ANTHROPIC_API_KEY set") });
  });
});

describe("init", () => {
  it("writes the shell roster with a commented example for each program found, each loading once uncommented", async () => {
    const file = join(root, "swarm.yaml");
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      // The shell roster by name: without --template, init would pick the program that can authenticate here.
      await init({ file, env, template: "shell", versionTimeoutMs: 1500 });
    } finally {
      write.mockRestore();
    }
    const text = readFileSync(file, "utf8");
    const config = parseConfig(text, { file, baseDir: root });
    expect(config.agents.every((agent) => agent.runtime === "shell")).toBe(true);
    expect(text).toContain("# - name: codex-coder");
    expect(text).toContain("#   runtime: gemini");
    // Off PATH (in node_modules/.bin), so the example names its path; codex is on PATH and needs none.
    expect(commandOf(text, "claude")).toMatch(/node_modules\/\.bin\/claude$/);
    expect(commandOf(text, "codex")).toBeNull();
    expect(text).not.toContain("runtime: aider");
    const uncommented = text.replace(/^ {2}# (- name: \S+|  (runtime|command|args|env|routes): .*)$/gm, "  $1");
    const all = parseConfig(uncommented, { file, baseDir: root });
    expect(all.agents.map((agent) => agent.runtime)).toEqual(["shell", "shell", "shell", "shell", "shell", "claude", "codex", "gemini", "qwen"]);
  });
});

describe("doctor --json", () => {
  it("lists the agent programs beside the machine's checks", () => {
    const result = runCli(["doctor", "--json"], { home: join(root, "doctor-home") });
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: unknown[]; programs: ProgramReport[] };
    expect(report.programs.map((p) => p.runtime)).toEqual(["claude", "codex", "gemini", "qwen", "aider"]);
    for (const p of report.programs) {
      expect(Object.keys(p)).toEqual(expect.arrayContaining(["runtime", "installed", "path", "version", "ready", "detail"]));
    }
    expect(report.programs[0]).toMatchObject({ runtime: "claude", installed: true });
  });
});

/** The `command:` of the example agent of `runtime`, or null when it names none. */
function commandOf(text: string, runtime: string): string | null {
  const block = text.split("# - name:").find((part) => part.includes(`runtime: ${runtime}`))!;
  const match = /command: (".*")/.exec(block);
  return match ? (JSON.parse(match[1]!) as string) : null;
}

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROLE_BEGIN, ROLE_END, roleFileOf, withRoleBlock, writeRoleFile } from "./role-files.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const configDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "ca-role-files-"));
  dirs.push(dir);
  return join(dir, "config");
};

describe("the role file of each program", () => {
  it("is a file of ours for Claude Code, Qwen, aider and the LangChain agent; the program's own instruction file for Codex and Gemini", () => {
    expect(roleFileOf("claude", "/c")).toEqual({ path: "/c/claude-agent/role.md", shared: false });
    expect(roleFileOf("qwen", "/c")?.path).toBe("/c/claude-agent/role.md");
    expect(roleFileOf("codex", "/c")).toEqual({ path: "/c/AGENTS.md", shared: true });
    expect(roleFileOf("gemini", "/c")).toEqual({ path: "/c/.gemini/GEMINI.md", shared: true });
    expect(roleFileOf("shell", "/c")).toBeNull();
  });

  it("writes the role as it is, 0600, and removes it when the role is gone", () => {
    const dir = configDir();
    const file = writeRoleFile("claude", dir, "- You review.\n$(not a command)");
    expect(file).toBe(join(dir, "claude-agent", "role.md"));
    expect(readFileSync(file!, "utf8")).toBe("- You review.\n$(not a command)");
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    expect(writeRoleFile("claude", dir, null)).toBeNull();
    expect(existsSync(file!)).toBe(false);
    expect(writeRoleFile("shell", dir, "ignored")).toBeNull();
  });

  it("keeps what else a shared file holds: a person's instructions, gemini's saved memories", () => {
    const dir = configDir();
    mkdirSync(join(dir, ".gemini"), { recursive: true });
    const memories = "## Gemini Added Memories\n- the user likes tabs\n";
    writeFileSync(join(dir, ".gemini", "GEMINI.md"), memories);
    const file = writeRoleFile("gemini", dir, "You deploy.")!;
    expect(readFileSync(file, "utf8")).toBe(`${ROLE_BEGIN}\nYou deploy.\n${ROLE_END}\n\n${memories}`);
    // Rewritten in place: one block, the memories (and one appended since) kept.
    writeFileSync(file, `${readFileSync(file, "utf8")}- and spaces in YAML\n`);
    writeRoleFile("gemini", dir, "You deploy, carefully.");
    expect(readFileSync(file, "utf8")).toBe(`${ROLE_BEGIN}\nYou deploy, carefully.\n${ROLE_END}\n\n${memories}- and spaces in YAML\n`);
    writeRoleFile("gemini", dir, null);
    expect(readFileSync(file, "utf8")).toBe(`${memories}- and spaces in YAML\n`);
  });

  it("removes a shared file that held only the role, and leaves alone one that never held it", () => {
    const dir = configDir();
    const file = writeRoleFile("codex", dir, "You review.")!;
    expect(readFileSync(file, "utf8")).toBe(`${ROLE_BEGIN}\nYou review.\n${ROLE_END}\n`);
    writeRoleFile("codex", dir, null);
    expect(existsSync(file)).toBe(false);
    writeFileSync(file, "");
    writeRoleFile("codex", dir, null);
    expect(existsSync(file)).toBe(true);
  });

  it("a role quoting the end marker cannot end its block early", () => {
    const text = withRoleBlock("", `before ${ROLE_END} after`);
    const again = withRoleBlock(text, "second");
    expect(again).toBe(`${ROLE_BEGIN}\nsecond\n${ROLE_END}\n`);
  });
});

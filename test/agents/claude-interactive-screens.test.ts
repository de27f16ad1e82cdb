/**
 * The fallback state detector for interactive Claude Code against screens
 * captured from the real program (test/fixtures/agents/claude/screens/
 * <version>/, written by capture.ts there). A new Claude Code version gets a
 * new folder; a detector change must keep the old folders passing.
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { APPROVING_OPTION, DENYING_OPTION, isLoginMessage, readClaudeScreen, type ScreenReading } from "../../agents/index.js";
import { readQuestionOptions } from "../../agents/claude/screen-state.js";

const ROOT = resolve(import.meta.dirname, "../fixtures/agents/claude/screens");

const EXPECTED: Record<string, Partial<ScreenReading>> = {
  starting: { state: "starting", input: null },
  idle: { state: "idle", input: "" },
  "input-pasted": { state: "idle", input: "[Pasted text #1 +3 lines]" },
  "input-typed": { state: "idle", input: "a prompt typed but not sent" },
  working: { state: "working" },
  interrupted: { state: "idle", input: "" },
  done: { state: "idle", input: "" },
  "done-after-tool": { state: "idle", input: "" },
  "api-error": { state: "idle", input: "" },
  "permission-bash": { state: "needs-input" },
  "permission-write": { state: "needs-input" },
};

function screen(version: string, name: string): string {
  return readFileSync(resolve(ROOT, version, `${name}.txt`), "utf8");
}

describe.each(readdirSync(ROOT).filter((entry) => /^\d+\.\d+\.\d+$/.test(entry)))("Claude Code %s screens", (version) => {
  it.each(Object.entries(EXPECTED))("reads %s", (name, expected) => {
    expect(readClaudeScreen(screen(version, name))).toMatchObject(expected);
  });

  it("says what a permission prompt asks, with the approving option first", () => {
    const bash = readClaudeScreen(screen(version, "permission-bash")).question ?? "";
    expect(bash).toContain("echo written-by-the-agent > tool-proof.txt");
    expect(bash).toContain("Do you want to proceed?");
    expect(bash).toMatch(APPROVING_OPTION);
    expect(readClaudeScreen(screen(version, "permission-write")).question).toMatch(/Do you want to create answer\.md\?.*1\. Yes/);
  });

  it("finds the dialog's No option, whose digit is the key a deny from the inbox presses", () => {
    // Its number differs by dialog and version (2.1.332's Bash dialog has a fourth option): it is read, never assumed.
    const expected: Record<string, Record<string, string>> = {
      "2.1.197": { "permission-bash": "3", "permission-write": "3" },
      "2.1.332": { "permission-bash": "4", "permission-write": "3" },
    };
    for (const name of ["permission-bash", "permission-write"]) {
      const question = readClaudeScreen(screen(version, name)).question ?? "";
      expect(DENYING_OPTION.exec(question)?.[1]).toBe(expected[version]?.[name]);
    }
  });

  it("has a fixture for every state it is expected to read", () => {
    // login-*.txt: captured from 2.1.332 on (below); older folders have none.
    const names = readdirSync(resolve(ROOT, version))
      .map((file) => file.replace(/\.txt$/, ""))
      .filter((name) => !name.startsWith("login-") && !name.startsWith("panel-") && !name.startsWith("question-"));
    expect(names.sort()).toEqual(Object.keys(EXPECTED).sort());
  });
});

describe("Claude Code 2.1.332 with its changes panel open on the right", () => {
  // Opened once the working tree has changes; its `│` edge ends every line of the conversation and dialog.
  it("reads the permission dialog beside the panel, with the approving option first", () => {
    const reading = readClaudeScreen(screen("2.1.332", "panel-permission-bash"));
    expect(reading).toMatchObject({ state: "needs-input" });
    expect(reading.question).toContain("Do you want to proceed?");
    expect(reading.question).toMatch(APPROVING_OPTION);
    expect(reading.question).not.toContain("│");
  });

  it("reads a turn at work beside the panel as working", () => {
    expect(readClaudeScreen(screen("2.1.332", "panel-working"))).toMatchObject({ state: "working" });
  });
});

describe("Claude Code 2.1.332 at a question (AskUserQuestion)", () => {
  it("reads the dialog's numbered options, the model's two and the two Claude Code adds, each with the digit that picks it", () => {
    expect(readQuestionOptions(screen("2.1.332", "question-database"))).toEqual([
      { key: "1", label: "Postgres" },
      { key: "2", label: "SQLite" },
      { key: "3", label: "Type something." },
      { key: "4", label: "Chat about this" },
    ]);
  });

  it("does not take a permission dialog, an idle screen or a finished turn for a question", () => {
    for (const name of ["permission-bash", "permission-write", "idle", "done-after-tool"]) expect(readQuestionOptions(screen("2.1.332", name))).toBeNull();
  });

  it("is not a dialog auto-approval could answer: the permission reader does not read it as needs-input", () => {
    expect(readClaudeScreen(screen("2.1.332", "question-database")).state).not.toBe("needs-input");
  });
});

describe("Claude Code 2.1.332 without a login", () => {
  it("reads the login method dialog (/login, or onboarding) as needs-login", () => {
    expect(readClaudeScreen(screen("2.1.332", "login-method"))).toMatchObject({ state: "needs-login", loginNeeded: true });
  });

  it('reads the input box under "Not logged in · run /login" as idle with its login missing', () => {
    expect(readClaudeScreen(screen("2.1.332", "login-not-logged-in"))).toMatchObject({ state: "idle", loginNeeded: true });
    expect(readClaudeScreen(screen("2.1.332", "idle")).loginNeeded).toBeUndefined();
  });

  it("recognises the message a prompt sent without a login gets", () => {
    expect(isLoginMessage("Not logged in · Please run /login")).toBe(true);
    expect(isLoginMessage("The answer is 42.")).toBe(false);
  });
});

describe("readClaudeScreen on hand-made screens", () => {
  const box = (input: string, above = "") => `${above}\n${"─".repeat(40)}\n❯ ${input}\n${"─".repeat(40)}\n  ? for shortcuts\n`;

  it("does not take a numbered prompt echoed in the history for a dialog", () => {
    expect(readClaudeScreen(box("", "❯ 1. Yes, do the first thing?\n● Done."))).toMatchObject({ state: "idle" });
  });

  it("reads older versions' `esc to interrupt` as working", () => {
    expect(readClaudeScreen(`● Reading files\n${box("").replace("? for shortcuts", "esc to interrupt")}`)).toMatchObject({ state: "working" });
  });

  it("keeps a multi-line input's lines", () => {
    const screen = `${"─".repeat(40)}\n❯ first line\n  second line\n${"─".repeat(40)}\n`;
    expect(readClaudeScreen(screen)).toMatchObject({ state: "idle", input: "first line\nsecond line" });
  });

  it("reads a screen without an input box or a dialog as unknown", () => {
    expect(readClaudeScreen("Welcome\nLoading…\n")).toMatchObject({ state: "unknown" });
  });
});

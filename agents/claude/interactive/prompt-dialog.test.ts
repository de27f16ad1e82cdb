import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { AskedQuestion, ClaudeHookEvent } from "../hook-events.js";
import { dialogDecided, dialogEnded, openRequest, optionsLine, permissionDialog, raisableQuestion, showsOptions, stillShown } from "./prompt-dialog.js";

const screen = (version: string, name: string) =>
  readFileSync(resolve(import.meta.dirname, `../../../test/fixtures/agents/claude/screens/${version}/${name}.txt`), "utf8");
const hook = (event: string, at: number): ClaudeHookEvent => ({ event, at });
const question = (options: number, multiSelect = false): AskedQuestion => ({
  header: "Database",
  question: "Which one?",
  options: Array.from({ length: options }, (_, i) => ({ label: `option ${i + 1}`, description: "" })),
  multiSelect,
});

describe("what a screen says about a dialog an inbox item may ask about", () => {
  it("reads a permission dialog's 'No' digit, which a deny presses, in both measured versions", () => {
    expect(permissionDialog(screen("2.1.332", "permission-bash"))?.denyKey).toBe("4");
    expect(permissionDialog(screen("2.1.197", "permission-bash"))?.denyKey).toBe("3");
    expect(permissionDialog(screen("2.1.332", "idle"))).toBeNull();
  });

  it("tells a question dialog by its options line, never as a permission prompt", () => {
    const capture = screen("2.1.332", "question-database");
    expect(permissionDialog(capture)).toBeNull();
    expect(optionsLine(capture)).toBe("1. Postgres · 2. SQLite · 3. Type something. · 4. Chat about this");
    expect(showsOptions(capture, ["Postgres", "SQLite"])).toBe(true);
    expect(showsOptions(capture, ["SQLite", "Postgres"])).toBe(false);
    expect(stillShown("question", optionsLine(capture) ?? "", capture)).toBe(true);
    expect(stillShown("permission", "", capture)).toBe(false);
  });

  it("raises only a question of one single choice among at most eight options", () => {
    expect(raisableQuestion([question(2)])?.options).toHaveLength(2);
    expect(raisableQuestion([question(2), question(2)])).toBeNull();
    expect(raisableQuestion([question(2, true)])).toBeNull();
    expect(raisableQuestion([question(0)])).toBeNull();
    expect(raisableQuestion([question(9)])).toBeNull();
  });

  it("takes a dialog as gone after a later hook that ends it, and as decided only after its call's own", () => {
    const history = [hook("PermissionRequest", 10), hook("Stop", 20)];
    expect(dialogEnded(history, 10)).toBe(true);
    expect(dialogDecided(history, 10)).toBe(false);
    expect(dialogDecided([...history, hook("PostToolUse", 15)], 10)).toBe(true);
    expect(dialogEnded(history, 20)).toBe(false);
  });

  it("re-raises an open dialog only while the screen waits for input and only for this turn's request", () => {
    const history = [hook("UserPromptSubmit", 5), hook("PermissionRequest", 10)];
    expect(openRequest("needs-input", history, 5)?.at).toBe(10);
    expect(openRequest("needs-input", history, 11)).toBeUndefined();
    expect(openRequest("working", history, 5)).toBeUndefined();
  });
});

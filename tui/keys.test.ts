import { describe, expect, it } from "vitest";
import { BINDINGS, commandFor, helpLines, keyHints } from "./keys.js";
import { LineEditor } from "./line-editor.js";

describe("commandFor", () => {
  it("maps the issue's keys", () => {
    expect(commandFor(undefined, { name: "up", full: "up" })).toBe("up");
    expect(commandFor("k", { name: "k", full: "k" })).toBe("up");
    expect(commandFor("j", { name: "j", full: "j" })).toBe("down");
    expect(commandFor("\r", { name: "enter", full: "enter" })).toBe("attach");
    expect(commandFor("a", { name: "a", full: "a" })).toBe("attach");
    expect(commandFor("s", { name: "s", full: "s" })).toBe("submit");
    expect(commandFor("c", { name: "c", full: "c" })).toBe("cancel");
    expect(commandFor("/", { full: "/" })).toBe("filter");
    expect(commandFor("?", { full: "?" })).toBe("help");
    expect(commandFor("q", { name: "q", full: "q" })).toBe("quit");
    expect(commandFor("\x03", { name: "c", full: "C-c", ctrl: true } as never)).toBe("quit");
  });

  it("tells r (retry) from R (restart)", () => {
    expect(commandFor("r", { name: "r", full: "r" })).toBe("retry");
    expect(commandFor("R", { name: "r", full: "S-r", shift: true })).toBe("restart");
  });

  it("switches the lower panels with Tab and Shift-Tab, shows the tasks with t, and clears the filter with Esc", () => {
    expect(commandFor("\t", { name: "tab", full: "tab" })).toBe("nextPanel");
    expect(commandFor(undefined, { name: "tab", full: "S-tab", shift: true })).toBe("previousPanel");
    expect(commandFor("t", { name: "t", full: "t" })).toBe("tasks");
    expect(commandFor("\x1b", { name: "escape", full: "escape" })).toBe("clearFilter");
  });

  it("answers blessed's duplicate `return` of an Enter with nothing", () => {
    expect(commandFor("\r", { name: "return", full: "return" })).toBeNull();
  });

  it("describes every binding in the help and the key hints", () => {
    expect(helpLines()).toHaveLength(BINDINGS.length);
    expect(keyHints()).toContain("R restart");
    expect(keyHints()).toContain("Tab panels");
    expect(keyHints()).toContain("t tasks");
    // The help overlay is at most 24 rows (22 inside its border); on an 80-column terminal it has 74 columns inside.
    expect(helpLines().length).toBeLessThanOrEqual(20);
    for (const line of helpLines()) expect(line.length).toBeLessThanOrEqual(74);
  });
});

describe("LineEditor", () => {
  it("edits one line", () => {
    const editor = new LineEditor("ab");
    for (const ch of "c d") expect(editor.handle(ch, { name: ch === " " ? "space" : ch, full: ch })).toBe("editing");
    expect(editor.value).toBe("abc d");
    editor.handle("\x7f", { name: "backspace", full: "backspace" });
    expect(editor.value).toBe("abc ");
    expect(editor.handle("\r", { name: "return", full: "return" })).toBe("editing");
    expect(editor.handle("\r", { name: "enter", full: "enter" })).toBe("submit");
    expect(editor.value).toBe("abc ");
  });

  it("cancels on Escape and clears on C-u", () => {
    const editor = new LineEditor("text");
    editor.handle("\x15", { name: "u", full: "C-u" });
    expect(editor.value).toBe("");
    expect(editor.handle("\x1b", { name: "escape", full: "escape" })).toBe("cancel");
  });
});

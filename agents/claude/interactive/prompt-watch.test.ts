import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { excerptOf } from "./prompt-dialog.js";

const SCREEN = resolve(import.meta.dirname, "../../../test/fixtures/agents/claude/screens/2.1.332/permission-bash.txt");

describe("the pane excerpt of a permission prompt's inbox item", () => {
  it("is the pane's last 20 lines with text, without escape sequences or trailing blanks", () => {
    const capture = `${readFileSync(SCREEN, "utf8")}\n\u001b]0;title\u0007\u001b[31m\n\n\n`;
    const lines = excerptOf(capture).split("\n");
    expect(lines).toHaveLength(20);
    expect(lines.at(-1)).toBe(" Esc to cancel · Tab to amend");
    expect(lines).toContain(" Do you want to proceed?");
    expect(lines).toContain(" ❯ 1. Yes");
    expect(lines.join("\n")).not.toMatch(/[\u001b\u0007]/);
    expect(lines.every((line) => line === line.trimEnd())).toBe(true);
  });
});

/** The architecture checker's rules on the code itself: class size, folders that name no agent program, silent catches. */
import { describe, expect, it } from "vitest";
import { CLEAN, check, tree } from "./fixture.js";

describe("check-architecture, the shape of the code", () => {
  describe("class size", () => {
    const classOf = (lines: number) =>
      [`/**`, ` * A doc comment is not counted.`, ` */`, `export class Big {`, ...Array.from({ length: lines - 2 }, (_, k) => `  f${k}() {}`), `}`].join("\n");

    it("fails a class longer than the rules allow, naming it, its line and its length", async () => {
      const { code, lines } = await check(tree({ ...CLEAN, "core/big.ts": `${classOf(200)}\n` }));
      expect(lines).toEqual(["core/big.ts:4: class Big is 200 lines (at most 199: split it by job)"]);
      expect(code).toBe(1);
    });

    it("passes a class of the largest size allowed, its doc comment aside", async () => {
      const { code } = await check(tree({ ...CLEAN, "core/big.ts": `${classOf(199)}\n` }));
      expect(code).toBe(0);
    });

    it("counts a class inside a function too, and leaves tests alone", async () => {
      const inner = `export function make() {\n  return ${classOf(250).replace("export class Big", "class Inner")};\n}\n`;
      const { lines } = await check(tree({ ...CLEAN, "core/make.ts": inner, "core/big.test.ts": `${classOf(300)}\n` }));
      expect(lines).toEqual(["core/make.ts:5: class Inner is 250 lines (at most 199: split it by job)"]);
    });
  });

  describe("neutral folders", () => {
    it("fails a bridge source file that names an agent program, in code or in a comment", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "bridge/a.ts": `export const a = 1;\n// waits for Claude Code's hook\n`,
          "bridge/b.ts": `export class GeminiTurns {}\n`,
          "bridge/c.ts": `export const c = "codex";\n`,
        }),
      );
      expect(lines).toEqual([
        `bridge/a.ts:2: names "Claude" (bridge/ runs every agent program alike; a program's own code lives in agents/<program>/)`,
        `bridge/b.ts:1: names "Gemini" (bridge/ runs every agent program alike; a program's own code lives in agents/<program>/)`,
        `bridge/c.ts:1: names "codex" (bridge/ runs every agent program alike; a program's own code lives in agents/<program>/)`,
      ]);
      expect(code).toBe(1);
    });

    it("allows the project's own name, words that merely contain a program's, other folders and the bridge's tests", async () => {
      const { code } = await check(
        tree({
          ...CLEAN,
          "bridge/home.ts": `export const home = process.env.CLAUDE_AGENT_HOME ?? "~/.claude-agent"; // a raider's braid\n`,
          "bridge/home.test.ts": `export const runtime = "claude";\n`,
          "agents/claude.ts": `export const name = "claude";\n`,
        }),
      );
      expect(code).toBe(0);
    });
  });

  describe("silent catches", () => {
    const SILENT = ".catch drops its error silently (log it, or say in a comment why that is safe)";

    it("fails a .catch whose callback drops the error without a word, naming its line", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "core/close.ts": [
            `export async function close(p: Promise<void>, q: Promise<string>, log: (e: unknown) => void): Promise<void> {`,
            `  await p.catch(() => undefined);`,
            `  void p.catch(() => {});`,
            `  const text = await q`,
            `    .then((t) => t.trim())`,
            `    .catch((_error) => "");`,
            `  const list = await q.catch(() => [] as string[]);`,
            `  // A comment two lines up says nothing about it.`,
            `  void [text, list, log];`,
            `  void p.catch(function () {});`,
            `}`,
          ].join("\n"),
        }),
      );
      expect(lines).toEqual([
        `core/close.ts:2: ${SILENT}`,
        `core/close.ts:3: ${SILENT}`,
        `core/close.ts:6: ${SILENT}`,
        `core/close.ts:7: ${SILENT}`,
        `core/close.ts:10: ${SILENT}`,
      ]);
      expect(code).toBe(1);
    });

    it("passes one with a comment on its line, on the line above its statement or within that statement", async () => {
      const { code, stdout } = await check(
        tree({
          ...CLEAN,
          "core/close.ts": [
            `export async function close(p: Promise<void>, q: Promise<string>): Promise<string> {`,
            `  await p.catch(() => undefined); // the process is stopping: nothing left to tell`,
            `  // Observed by the race below.`,
            `  void p.catch(() => {});`,
            `  return await q`,
            `    // no answer means no version`,
            `    .then((t) => t.trim())`,
            `    .catch(() => "");`,
            `}`,
          ].join("\n"),
        }),
      );
      expect(stdout).toMatch(/no violations/);
      expect(code).toBe(0);
    });

    it("passes one that logs the error or does something with it, and leaves tests alone", async () => {
      const { code, stdout } = await check(
        tree({
          ...CLEAN,
          "core/close.ts": [
            `export async function close(p: Promise<void>, log: (event: string, data: object) => void, fallback: () => void): Promise<void> {`,
            `  await p.catch((error) => log("close.failed", { error }));`,
            `  await p.catch(() => fallback());`,
            `}`,
          ].join("\n"),
          "core/close.test.ts": `export const t = (p: Promise<void>) => p.catch(() => undefined);\n`,
          "test/helpers/close.ts": `export const t = (p: Promise<void>) => p.catch(() => null);\n`,
        }),
      );
      expect(stdout).toMatch(/no violations/);
      expect(code).toBe(0);
    });

    it("does not take a // in a string for a comment", async () => {
      const { lines } = await check(
        tree({
          ...CLEAN,
          "core/fetch.ts": `export const get = (p: Promise<string>) => p.catch(() => "http://example.com/");\n`,
        }),
      );
      expect(lines).toEqual([`core/fetch.ts:1: ${SILENT}`]);
    });
  });
});

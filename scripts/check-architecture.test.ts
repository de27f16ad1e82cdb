import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";

const HERE = dirname(fileURLToPath(import.meta.url));
const SCRIPT = join(HERE, "check-architecture.mjs");
const RULES = join(HERE, "architecture-rules.json");

const roots: string[] = [];

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** Writes a fixture tree (path → source) into a fresh temp dir. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "arch-check-"));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

async function check(root: string) {
  const r = await execa(process.execPath, [SCRIPT, "--root", root], { reject: false });
  return { code: r.exitCode, lines: r.stdout.split("\n").filter(Boolean), stdout: r.stdout };
}

/** A tree that follows every rule: each layer imports only what it may, through index.ts. */
const CLEAN: Record<string, string> = {
  "core/index.ts": `export * from "./ids.js";\nexport * from "./config/index.js";\n`,
  "core/ids.ts": `export const id = () => "x";\n`,
  "core/config/index.ts": `export * from "./load.js";\n`,
  "core/config/load.ts": `import { id } from "../ids.js";\nexport const load = () => id();\n`,
  "sessions/index.ts": `export { start } from "./control-client.js";\n`,
  "sessions/control-client.ts": `import { id } from "../core/index.js";\nexport const start = () => id();\n`,
  "agents/index.ts": `import { start } from "../sessions/index.js";\nimport { id } from "../core/index.js";\nexport const run = () => [start(), id()];\n`,
  "bridge/index.ts": `export * from "./worker.js";\n`,
  "bridge/worker.ts": [
    `import { run } from "../agents/index.js";`,
    `import { load } from "../core/config/index.js";`,
    `import { start } from "../sessions/index.js";`,
    `import { helper } from "./internal/deep/helper.js";`,
    `import { Queue } from "bullmq";`,
    `import { join } from "node:path";`,
    `export const work = () => [run(), load(), start(), helper(), Queue, join];`,
  ].join("\n"),
  "bridge/internal/deep/helper.ts": `export const helper = () => 1;\n`,
  "supervisor/index.ts": `import { id } from "../core/index.js";\nexport const supervise = () => id();\n`,
  "client/index.ts": `import { supervise } from "../supervisor/index.js";\nexport const connect = () => supervise();\n`,
  "workflows/index.ts": `import { supervise } from "../supervisor/index.js";\nexport const flow = () => supervise();\n`,
  "tui/index.ts": `import { connect } from "../client/index.js";\nimport { id } from "../core/index.js";\nexport const ui = () => [connect(), id()];\n`,
  "cli/main.ts": [
    `import { work } from "../bridge/index.js";`,
    `import { flow } from "../workflows/index.js";`,
    `import { ui } from "../tui/index.js";`,
    `import { run } from "../agents/index.js";`,
    `import * as sdk from "../index.js";`,
    `export const main = () => [work(), flow(), ui(), run(), sdk];`,
  ].join("\n"),
  "index.ts": `export * from "./core/index.js";\nexport * from "./client/index.js";\nexport * from "./workflows/index.js";\n`,
  "scripts/bench.ts": `import { work } from "../bridge/index.js";\nwork();\n`,
  "node_modules/pkg/index.ts": `import "../../bridge/worker.js";\n`,
  "dist/bridge/worker.ts": `import "../../supervisor/index.js";\n`,
  "core/generated.d.ts": `import "../cli/main.js";\n`,
};

describe("check-architecture", () => {
  it("passes a tree that follows the rules and prints the file and import counts", async () => {
    const { code, stdout } = await check(tree(CLEAN));
    expect(stdout.trim()).toBe("architecture: 17 files, 27 imports, no violations");
    expect(code).toBe(0);
  });

  it("passes the project's own tree", async () => {
    const { code, stdout } = await check(join(HERE, ".."));
    expect(stdout).toMatch(/^architecture: \d+ files, \d+ imports, no violations$/);
    expect(code).toBe(0);
  });

  it("checks the current directory when --root is not given", async () => {
    const root = tree(CLEAN);
    const r = await execa(process.execPath, [SCRIPT], { cwd: root, reject: false });
    expect(r.stdout.trim()).toBe("architecture: 17 files, 27 imports, no violations");
    expect(r.exitCode).toBe(0);
  });

  describe("direction", () => {
    it("fails an import into a layer the importer may not use, naming both files and the rule", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "bridge/worker.ts": `import { supervise } from "../supervisor/index.js";\nexport const w = supervise;\n`,
        }),
      );
      expect(lines).toEqual(["bridge/worker.ts: imports supervisor/index.ts (bridge may import core, sessions, agents)"]);
      expect(code).toBe(1);
    });

    it("keeps core free of every other layer", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "core/ids.ts": `import { start } from "../sessions/index.js";\nexport const id = () => start;\n`,
        }),
      );
      expect(lines).toContain("core/ids.ts: imports sessions/index.ts (core may import nothing outside core)");
      expect(code).toBe(1);
    });

    it("forbids the supervisor from importing the bridge (they talk through Redis)", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "supervisor/index.ts": `import { work } from "../bridge/index.js";\nexport const supervise = work;\n`,
        }),
      );
      expect(lines).toContain("supervisor/index.ts: imports bridge/index.ts (supervisor may import core)");
      expect(code).toBe(1);
    });

    it("limits the root index.ts (SDK entry) to core, client, workflows, api (the remote mode) and history", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "index.ts": `export * from "./core/index.js";\nexport * from "./sessions/index.js";\n`,
        }),
      );
      expect(lines).toEqual(["index.ts: imports sessions/index.ts (index.ts may import core, client, workflows, api, history)"]);
      expect(code).toBe(1);
    });

    it("counts re-exports and dynamic imports with a string literal", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "workflows/index.ts": `export { work } from "../bridge/index.js";\nexport const flow = () => 1;\n`,
          "tui/index.ts": `export const ui = async () => (await import("../bridge/index.js")).work();\n`,
        }),
      );
      expect(lines).toEqual([
        "tui/index.ts: imports bridge/index.ts (tui may import core, client, sessions, workflows)",
        "workflows/index.ts: imports bridge/index.ts (workflows may import core, client, supervisor)",
      ]);
      expect(code).toBe(1);
    });

    it("ignores imports that only appear in comments, strings, template text and regular expressions", async () => {
      const { code } = await check(
        tree({
          ...CLEAN,
          "core/ids.ts": [
            `// import { work } from "../bridge/index.js";`,
            `/* export * from "../cli/main.js"; */`,
            `const s = 'import x from "../bridge/index.js"';`,
            'const t = `import("../tui/index.js")`;',
            `const re = /import "..\\/bridge\\/index.js"/;`,
            `export const id = () => [s, t, re, 4 / 2 / 1].join("");`,
          ].join("\n"),
        }),
      );
      expect(code).toBe(0);
    });

    it("reports a relative import that does not resolve to a file", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "sessions/control-client.ts": `import { nope } from "./missing.js";\nexport const start = nope;\n`,
        }),
      );
      expect(lines).toEqual(['sessions/control-client.ts: cannot resolve "./missing.js"']);
      expect(code).toBe(1);
    });

    it("reports a file in a folder that no rule covers", async () => {
      const { code, lines } = await check(tree({ ...CLEAN, "examples/demo.ts": `export const x = 1;\n` }));
      expect(lines).toEqual(['examples/demo.ts: not in any layer of architecture-rules.json (add "examples" to "layers")']);
      expect(code).toBe(1);
    });
  });

  describe("index.ts as the public entry", () => {
    it("fails a cross-folder import that bypasses the folder's index.ts", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "bridge/worker.ts": `import { start } from "../sessions/control-client.js";\nexport const work = start;\n`,
        }),
      );
      expect(lines).toEqual([
        "bridge/worker.ts: imports sessions/control-client.ts, bypassing sessions/index.ts (imports from another folder must go through its index.ts)",
      ]);
      expect(code).toBe(1);
    });

    it("applies to the composition root too", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "cli/main.ts": `import { load } from "../core/config/load.js";\nexport const main = load;\n`,
        }),
      );
      expect(lines).toEqual(["cli/main.ts: imports core/config/load.ts, bypassing core/index.ts (imports from another folder must go through its index.ts)"]);
      expect(code).toBe(1);
    });

    it("accepts a sub-folder's index.ts and any path inside the importer's own folder", async () => {
      // CLEAN has bridge → ../core/config/index.js and bridge → ./internal/deep/helper.js.
      const { code } = await check(tree(CLEAN));
      expect(code).toBe(0);
    });

    it("resolves ./x.js to ./x/index.ts and extensionless folder specifiers to their index.ts", async () => {
      const { code, stdout } = await check(
        tree({
          ...CLEAN,
          "agents/index.ts": `import { start } from "../sessions";\nimport { load } from "../core/config.js";\nexport const run = () => [start(), load()];\n`,
        }),
      );
      expect(stdout).toMatch(/no violations/);
      expect(code).toBe(0);
    });
  });

  describe("cycles", () => {
    it("reports a cycle with its path", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "core/a.ts": `import { b } from "./b.js";\nexport const a = () => b;\n`,
          "core/b.ts": `import { a } from "./a.js";\nexport const b = () => a;\n`,
        }),
      );
      expect(lines).toEqual(["cycle: core/a.ts → core/b.ts → core/a.ts"]);
      expect(code).toBe(1);
    });

    it("reports the shortest cycle and names the rest of a larger tangle", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "core/a.ts": `export * from "./b.js";\n`,
          "core/b.ts": `export * from "./c.js";\nexport * from "./a.js";\n`,
          "core/c.ts": `export const c = () => import("./a.js");\n`,
        }),
      );
      expect(lines).toEqual(["cycle: core/a.ts → core/b.ts → core/a.ts (and 1 more file in the same cycle: core/c.ts)"]);
      expect(code).toBe(1);
    });

    it("follows dynamic import() and crosses folders", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "cli/index.ts": `export const main = async () => (await import("../scripts/index.js")).x;\n`,
          "scripts/index.ts": `import { main } from "../cli/index.js";\nexport const x = main;\n`,
        }),
      );
      expect(lines).toEqual(["cycle: cli/index.ts → scripts/index.ts → cli/index.ts"]);
      expect(code).toBe(1);
    });

    it("reports a file that imports itself", async () => {
      const { lines } = await check(tree({ ...CLEAN, "core/self.ts": `import "./self.js";\n` }));
      expect(lines).toEqual(["cycle: core/self.ts → core/self.ts"]);
    });
  });

  describe("type-only imports", () => {
    it("count for direction rules", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "bridge/worker.ts": [
            `import type { Supervisor } from "../supervisor/index.js";`,
            `import { type Flow } from "../workflows/index.js";`,
            `export type { Ui } from "../tui/index.js";`,
            `export type W = Supervisor | Flow | import("../cli/main.js").Main;`,
          ].join("\n"),
        }),
      );
      expect(lines).toEqual([
        "bridge/worker.ts: imports supervisor/index.ts (bridge may import core, sessions, agents)",
        "bridge/worker.ts: imports workflows/index.ts (bridge may import core, sessions, agents)",
        "bridge/worker.ts: imports tui/index.ts (bridge may import core, sessions, agents)",
        "bridge/worker.ts: imports cli/main.ts (bridge may import core, sessions, agents)",
      ]);
      expect(code).toBe(1);
    });

    it("do not make cycles", async () => {
      const { code, stdout } = await check(
        tree({
          ...CLEAN,
          "core/a.ts": `import type { B } from "./b.js";\nexport type A = { b?: B };\nexport const a = 1;\n`,
          "core/b.ts": [
            `import { type A } from "./a.js";`,
            `export type { A as A2 } from "./a.js";`,
            `export type * from "./a.js";`,
            `export type B = { a?: A; t?: typeof import("./a.js") };`,
          ].join("\n"),
        }),
      );
      expect(stdout).toMatch(/no violations/);
      expect(code).toBe(0);
    });

    it("still make a cycle when an import mixes type and value specifiers", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "core/a.ts": `import { b } from "./b.js";\nexport type A = { n: number };\nexport const a = () => b;\n`,
          "core/b.ts": `import { type A, a } from "./a.js";\nexport const b = (x: A) => [a, x];\n`,
        }),
      );
      expect(lines).toEqual(["cycle: core/a.ts → core/b.ts → core/a.ts"]);
      expect(code).toBe(1);
    });
  });

  describe("tests are exempt", () => {
    it("lets *.test.ts files and test/ reach into any folder", async () => {
      const { code, stdout } = await check(
        tree({
          ...CLEAN,
          "core/ids.test.ts": `import { start } from "../sessions/control-client.js";\nimport { helper } from "../bridge/internal/deep/helper.js";\nvoid [start, helper];\n`,
          "test/helpers/redis.ts": `import { work } from "../../bridge/worker.js";\nexport const h = work;\n`,
          "test/e2e.test.ts": `import { h } from "./helpers/redis.js";\nimport { ui } from "../tui/index.js";\nvoid [h, ui];\n`,
        }),
      );
      expect(stdout).toMatch(/no violations/);
      expect(code).toBe(0);
    });

    it("does not let production code import from test/", async () => {
      const { code, lines } = await check(
        tree({
          ...CLEAN,
          "test/helpers/redis.ts": `export const h = 1;\n`,
          "sessions/control-client.ts": `import { h } from "../test/helpers/redis.js";\nexport const start = () => h;\n`,
        }),
      );
      expect(lines).toEqual(["sessions/control-client.ts: imports test/helpers/redis.ts (sessions may import core)"]);
      expect(code).toBe(1);
    });

    it("still checks test files for cycles", async () => {
      const { lines } = await check(
        tree({
          ...CLEAN,
          "test/helpers/a.ts": `import "./b.js";\n`,
          "test/helpers/b.ts": `import "./a.js";\n`,
        }),
      );
      expect(lines).toEqual(["cycle: test/helpers/a.ts → test/helpers/b.ts → test/helpers/a.ts"]);
    });
  });

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

  describe("rules file", () => {
    it("describes every top-level folder of the architecture, and only allows layers that exist", () => {
      const rules = JSON.parse(readFileSync(RULES, "utf8")) as { layers: Record<string, string[] | "*"> };
      const names = Object.keys(rules.layers);
      for (const layer of ["core", "sessions", "agents", "bridge", "supervisor", "workflows", "tui", "cli", "scripts", "test", "index.ts"]) {
        expect(names).toContain(layer);
      }
      for (const allowed of Object.values(rules.layers)) {
        if (allowed === "*") continue;
        for (const target of allowed) expect(names).toContain(target);
      }
    });

    it("exits 2 on an unknown argument or a missing root", async () => {
      const bad = await execa(process.execPath, [SCRIPT, "--nope"], { reject: false });
      expect(bad.exitCode).toBe(2);
      const missing = await execa(process.execPath, [SCRIPT, "--root", join(tmpdir(), "arch-check-does-not-exist")], { reject: false });
      expect(missing.exitCode).toBe(2);
    });
  });
});

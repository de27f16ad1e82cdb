import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CLEAN, check, PROJECT, RULES, SCRIPT, tree } from "./architecture/fixture.js";

describe("check-architecture", () => {
  it("passes a tree that follows the rules and prints the file and import counts", async () => {
    const { code, stdout } = await check(tree(CLEAN));
    expect(stdout.trim()).toBe("architecture: 17 files, 27 imports, no violations");
    expect(code).toBe(0);
  });

  it("passes the project's own tree", async () => {
    const { code, stdout } = await check(PROJECT);
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

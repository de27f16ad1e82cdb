/** The architecture checker's test fixtures: a tree of source files in a temp folder, and the checker run on it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterEach } from "vitest";

const HERE = dirname(fileURLToPath(import.meta.url));
export const SCRIPT = join(HERE, "..", "check-architecture.mjs");
export const RULES = join(HERE, "..", "architecture-rules.json");
/** The project's root. */
export const PROJECT = join(HERE, "..", "..");

const roots: string[] = [];

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** Writes a fixture tree (path → source) into a fresh temp dir. */
export function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "arch-check-"));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

export async function check(root: string) {
  const r = await execa(process.execPath, [SCRIPT, "--root", root], { reject: false });
  return { code: r.exitCode, lines: r.stdout.split("\n").filter(Boolean), stdout: r.stdout };
}

/** A tree that follows every rule: each layer imports only what it may, through index.ts. */
export const CLEAN: Record<string, string> = {
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

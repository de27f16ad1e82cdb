import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { buildDue } from "./build-if-changed.mjs";

const due = buildDue as (root: string) => string | null;
let root = "";

function file(path: string, at: number): void {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), "x");
  utimesSync(join(root, path), at, at);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "ca-build-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("whether `npm run demo` must build", () => {
  it("builds when there is no build, or a source or a package file is newer than it", () => {
    file("core/a.ts", 1000);
    expect(due(root)).toBe("there is no build yet");
    file("dist/cli/main.js", 2000);
    expect(due(root)).toBeNull();
    file("cli/b.ts", 3000);
    expect(due(root)).toBe("cli/b.ts changed since the last build");
    file("dist/cli/main.js", 4000);
    file("package-lock.json", 5000);
    expect(due(root)).toBe("package-lock.json changed since the last build");
  });

  it("ignores tests, node_modules and documentation", () => {
    file("dist/cli/main.js", 2000);
    file("core/a.test.ts", 3000);
    file("test/x.ts", 3000);
    file("node_modules/p/index.ts", 3000);
    file("docs/README.md", 3000);
    expect(due(root)).toBeNull();
  });

  it("finds this checkout, just built by the test run's set-up, up to date", () => {
    // (Not `bash scripts/setup.sh` itself here: on a checkout whose node_modules predate its lock it runs `npm ci`,
    // which would pull node_modules from under the tests running beside this one.)
    const repo = resolve(import.meta.dirname, "..");
    const run = spawnSync(process.execPath, ["scripts/build-if-changed.mjs", "--check"], { cwd: repo, encoding: "utf8" });
    expect(run.stdout).toBe("build up to date\n");
    expect(run.status).toBe(0);
  });
});

/**
 * Install hygiene (issue 11, finding 11): a clean checkout installs with
 * `npm ci` exactly as its lock file says, and installing never rewrites the
 * lock. `npm ci` compares the lock with the tree it would build from
 * package.json; with an optional dependency whose platform packages were
 * never published (qwen-code lists five @teddyzhu/clipboard-* builds that
 * the registry has never had), npm 11 leaves them out of the lock it writes
 * and then rejects that very lock ("Missing: … from lock file", npm/cli
 * #9846). The overrides in package.json point those names at the one build
 * that exists, so npm records them and `npm ci` accepts the lock.
 *
 * These tests ask the real npm about a copy of package.json and the lock, so
 * they need the npm registry (setup needs it anyway).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "ca-install-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function npm(args: readonly string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync("npm", [...args, "--no-audit", "--no-fund", "--ignore-scripts"], {
    cwd,
    encoding: "utf8",
    // A developer's own npm settings must not change what a clean machine sees.
    env: { ...process.env, npm_config_userconfig: join(work, "no-npmrc") },
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe("installing from a clean checkout", () => {
  it("npm ci accepts the committed lock file as it is", () => {
    const dir = join(work, "ci");
    mkdirSync(dir, { recursive: true });
    for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(ROOT, file), join(dir, file));
    const before = readFileSync(join(dir, "package-lock.json"), "utf8");

    const { status, output } = npm(["ci", "--dry-run"], dir);
    expect(output).not.toMatch(/Missing: .* from lock file/);
    expect(output).not.toContain("EUSAGE");
    expect(status).toBe(0);
    expect(readFileSync(join(dir, "package-lock.json"), "utf8")).toBe(before);
  }, 130_000);

  it("the set-up installs with npm ci only, never with an install that may rewrite the lock", () => {
    const setup = readFileSync(join(ROOT, "scripts/setup.sh"), "utf8");
    const commands = setup.split("\n").filter((line) => !line.trim().startsWith("#"));
    const installs = commands.filter((line) => /\bnpm (?:install|i|ci)\b/.test(line) && !line.includes("--prefix"));
    expect(installs.length).toBeGreaterThan(0);
    for (const line of installs) expect(line).toMatch(/\bnpm ci\b/);
    expect(installs.join("\n")).not.toMatch(/\bnpm (?:install|i)\b/);
  });
});

/**
 * doctor's checks of each agent program, with stand-in programs: Node scripts
 * in a package that declares the Node it needs, stand-in `node` executables
 * of two lines, and a ranges table like CONFORMANCE.md's.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig, type ProgramRange } from "../core/index.js";
import { programChecks } from "./program-checks.js";

const root = mkdtempSync(join(tmpdir(), "ca-program-checks-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function executable(path: string, body: string): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, body, { mode: 0o755 });
  return path;
}
/** A stand-in `node` printing its version; scripts run with it (`#!/usr/bin/env node` finds it on PATH) run as sh. */
const node = (dir: string, version: string) =>
  executable(join(root, dir, "node"), `#!/bin/sh\nif [ "$1" = --version ]; then echo v${version}; else shift; exec sh "$@"; fi\n`);
/** A qwen package of `version` declaring `engines`, its bin a Node script printing the version. */
function qwenPackage(version: string, engines: string): string {
  const pkg = join(root, `qwen-${version}`, "node_modules", "@qwen-code", "qwen-code");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "@qwen-code/qwen-code", version, engines: { node: engines } }));
  executable(join(pkg, "cli.js"), `#!/usr/bin/env node\necho ${version}\n`);
  const bin = join(root, `qwen-${version}`, "node_modules", ".bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync("../@qwen-code/qwen-code/cli.js", join(bin, "qwen"));
  return join(bin, "qwen");
}

const node20 = node("node20", "20.20.2");
const node22 = node("node22", "22.23.5");
const env = { PATH: `${join(root, "node20")}:/usr/bin:/bin` };
const ranges: ProgramRange[] = [{ program: "qwen", packageName: "@qwen-code/qwen-code", oldest: "0.15.10", newest: "0.24.4", failing: [] }];
const config = (agent: string) => parseConfig(`agents:\n  - ${agent}\n`, { file: join(root, "swarm.yaml"), baseDir: root });

describe("doctor's checks of an agent program", () => {
  const current = qwenPackage("0.24.4", ">=22.0.0");

  it("fails a Node script whose package needs a newer Node than the one it runs with, and says how to give it one", async () => {
    const checks = await programChecks(config(`{ name: q, runtime: qwen, command: ${current} }`), { env, ranges });
    expect(checks[0]).toMatchObject({
      name: "agent q node",
      ok: false,
      detail: `@qwen-code/qwen-code 0.24.4 needs Node >=22.0.0; it runs with ${node20} (v20.20.2)`,
    });
    expect(checks[0]?.fix).toContain("node: 22");
    expect(checks[1]).toMatchObject({ name: "agent q version", ok: true, detail: `qwen 0.24.4 at ${current}; within the tested range` });
  });

  it("passes it when the agent's node: is one the package accepts", async () => {
    const checks = await programChecks(config(`{ name: q, runtime: qwen, command: ${current}, node: ${node22} }`), { env, ranges });
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ["agent q node", true],
      ["agent q version", true],
    ]);
    expect(checks[0]?.detail).toContain(`it runs with ${node22} (v22.23.5)`);
  });

  it("fails an agent whose node: cannot be found", async () => {
    const checks = await programChecks(config(`{ name: q, runtime: qwen, command: ${current}, node: 18 }`), { env, ranges });
    expect(checks).toEqual([expect.objectContaining({ name: "agent q node", ok: false, detail: "its node (18) cannot be found or does not run" })]);
  });

  it("fails a release older than the tested range, and warns about a newer one", async () => {
    const old = qwenPackage("0.10.0", ">=20");
    const next = qwenPackage("0.25.0", ">=20");
    const version = async (bin: string) =>
      (await programChecks(config(`{ name: q, runtime: qwen, command: ${bin} }`), { env, ranges })).find((c) => c.name === "agent q version");
    const older = await version(old);
    expect(older).toMatchObject({ name: "agent q version", ok: false });
    expect(older?.detail).toContain("qwen 0.10.0 is older than any release claude-agent was tested with (0.15.10 – 0.24.4, CONFORMANCE.md)");
    const newer = await version(next);
    expect(newer).toMatchObject({ name: "agent q version", ok: true, warning: true });
    expect(newer?.detail).toContain("npm run conformance -- --program qwen --version 0.25.0");
  });

  it("says a program it cannot find is missing, and checks nothing for shell agents", async () => {
    expect(await programChecks(config(`{ name: q, runtime: qwen, command: ${join(root, "nowhere", "qwen")} }`), { env, ranges })).toEqual([
      expect.objectContaining({ name: "agent q", ok: false }),
    ]);
    expect(await programChecks(config("{ name: s, runtime: shell }"), { env, ranges })).toEqual([]);
  });
});

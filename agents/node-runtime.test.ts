import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findNode, nodeSatisfies, programEngines, programKind } from "./node-runtime.js";

const root = mkdtempSync(join(tmpdir(), "ca-node-runtime-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in `node` that prints a version, like the real one's `--version`. */
function fakeNode(dir: string, version: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "node");
  writeFileSync(path, `#!/bin/sh\necho v${version}\n`, { mode: 0o755 });
  return path;
}

describe("finding the Node an agent's program runs with", () => {
  const onPath = fakeNode(join(root, "usr-bin"), "20.20.2");
  const cache = join(root, "cache");
  const cached22 = fakeNode(join(cache, "node", "22.23.5", "node_modules", ".bin"), "22.23.5");
  fakeNode(join(cache, "node", "22.9.0", "node_modules", ".bin"), "22.9.0");
  const nvm24 = fakeNode(join(root, "nvm", "versions", "node", "v24.1.0", "bin"), "24.1.0");
  const env = { PATH: join(root, "usr-bin"), CLAUDE_AGENT_CACHE: cache, NVM_DIR: join(root, "nvm") };

  it("takes a major version from PATH when PATH's node is of that line", () => {
    expect(findNode("20", env)).toEqual({ path: onPath, version: "20.20.2" });
  });

  it("else from claude-agent's cache, newest release first, else from nvm", () => {
    expect(findNode("22", env)).toEqual({ path: cached22, version: "22.23.5" });
    expect(findNode("24", env)).toEqual({ path: nvm24, version: "24.1.0" });
  });

  it("finds nothing for a line no one installed, or a path that does not run", () => {
    expect(findNode("18", env)).toBeNull();
    expect(findNode(join(root, "missing", "node"), env)).toBeNull();
  });

  it("checks that a given path runs, and reads its version", () => {
    expect(findNode(cached22, env)).toEqual({ path: cached22, version: "22.23.5" });
  });
});

describe("what a program needs", () => {
  it("tells a Node script from a native binary", () => {
    const script = join(root, "cli.js");
    writeFileSync(script, "#!/usr/bin/env node\nconsole.log(1)\n");
    copyFileSync("/bin/true", join(root, "native"));
    expect(programKind(script)).toBe("node-script");
    expect(programKind(join(root, "native"))).toBe("native");
    expect(programKind(join(root, "nowhere"))).toBe("unknown");
  });

  it("reads the engines.node of the package a bin link points into", () => {
    const pkg = join(root, "node_modules", "@scope", "tool");
    mkdirSync(join(pkg, "dist"), { recursive: true });
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "@scope/tool", version: "1.2.3", engines: { node: ">=22.0.0" } }));
    writeFileSync(join(pkg, "dist", "cli.js"), "#!/usr/bin/env node\n");
    mkdirSync(join(root, "node_modules", ".bin"), { recursive: true });
    symlinkSync("../@scope/tool/dist/cli.js", join(root, "node_modules", ".bin", "tool"));
    expect(programEngines(join(root, "node_modules", ".bin", "tool"))).toEqual({ name: "@scope/tool", version: "1.2.3", node: ">=22.0.0" });
  });

  it("compares a Node version with an engines range", () => {
    expect(nodeSatisfies("20.20.2", ">=22.0.0")).toBe(false);
    expect(nodeSatisfies("22.23.5", ">=22.0.0")).toBe(true);
    expect(nodeSatisfies("20.20.2", ">= 10.16.0 < 11 || >= 11.8.0 < 12 || >= 12.0.0")).toBe(true);
    expect(nodeSatisfies("20.20.2", "not a range")).toBe(true);
  });
});

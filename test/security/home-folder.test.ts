/**
 * Issue 11, finding 8: `up --home DIR` chmodded an existing folder to 0700
 * (`/tmp`, as root). Only folders `up` creates, or that are marked as a home,
 * are made private and filled; any other existing folder is refused untouched.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/swarm.js";

const SWARM = "agents:\n  - name: alpha\n    runtime: shell\n    timeout: 60\ndefault_agent: alpha\n";

describe("up --home on an existing folder", () => {
  const base = mkdtempSync(join(tmpdir(), "ca-sec-dir-"));
  const config = join(base, "swarm.yaml");
  writeFileSync(config, SWARM);
  afterAll(() => {
    for (const home of ["shared", "marked"]) runCli(["down"], { home: join(base, home) });
    rmSync(base, { recursive: true, force: true });
  });
  const mode = (dir: string): number => statSync(dir).mode & 0o7777;

  it("that is not a home (like /tmp: shared, with files in it) is refused, its mode and content untouched", () => {
    const shared = join(base, "shared");
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    writeFileSync(join(shared, "someone-elses.txt"), "x");
    const up = runCli(["--home", shared, "up", "--detach", "--config", config]);
    expect(mode(shared)).toBe(0o1777);
    expect(readdirSync(shared)).toEqual(["someone-elses.txt"]);
    expect(up.exitCode, up.stderr).toBe(4);
    expect(up.stderr).toContain(`${shared} is not empty and is not a claude-agent home; refusing to use it`);
    expect(up.stderr).toContain(`touch ${join(shared, ".claude-agent-home")}`);
  });

  it("that is marked as a home is used and made private", () => {
    const marked = join(base, "marked");
    mkdirSync(marked);
    chmodSync(marked, 0o755);
    writeFileSync(join(marked, "notes.txt"), "mine\n");
    writeFileSync(join(marked, ".claude-agent-home"), "");
    const up = runCli(["--home", marked, "up", "--detach", "--config", config]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(mode(marked)).toBe(0o700);
    expect(runCli(["--home", marked, "down"]).exitCode).toBe(0);
  });
});

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeLaunchFile, writeLauncher } from "./pane-launch.js";

const dir = mkdtempSync(join(tmpdir(), "ca-launch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the launcher as tmux would, with `inherited` as the tmux server's environment. */
function launch(env: Record<string, string>, command: string[], inherited: Record<string, string> = {}) {
  writeLauncher(dir);
  const { argv, file } = writeLaunchFile(dir, "s-1", { cwd: dir, env, command });
  const run = spawnSync(argv[0]!, argv.slice(1), { env: { TERM: "screen-256color", ...inherited }, encoding: "utf8" });
  return { ...run, file };
}

describe("the pane launcher", () => {
  it("runs the program with exactly the launch file's environment, TERM kept, in its folder; values and arguments whole", () => {
    const value = "line one\nline two 'quoted' \"double\" $(not run) `nor this`";
    const script = 'printf "%s\\0" "$@"; printf -- "--env--\\0"; env -0';
    const run = launch({ PATH: process.env.PATH!, MULTI: value }, ["bash", "-c", script, "argv0", "an\narg", ""], {
      TMUX: "/s,1,0",
      SECRET_OF_THE_DAEMON: "x",
    });
    const fields = run.stdout.split("\0");
    const cut = fields.indexOf("--env--");
    expect(fields.slice(0, cut)).toEqual(["an\narg", ""]);
    const env = fields.slice(cut + 1).filter(Boolean);
    const names = env.map((entry) => entry.split("=")[0]);
    expect(names).toEqual(expect.arrayContaining(["MULTI", "TERM", "PATH", "PWD"]));
    expect(names).not.toContain("TMUX");
    expect(names).not.toContain("SECRET_OF_THE_DAEMON");
    expect(env).toContain(`MULTI=${value}`);
    expect(env).toContain(`PWD=${dir}`);
  });

  it("removes the launch file as soon as it has read it", () => {
    const run = launch({ PATH: process.env.PATH! }, ["true"]);
    expect(run.status).toBe(0);
    expect(existsSync(run.file)).toBe(false);
  });
});

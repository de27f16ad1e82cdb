/**
 * Finding 9: values from swarm.yaml (an agent's `env`, an interactive
 * agent's `args`, its `cwd`) never travel inside a tmux command. A control-mode
 * command ends at a newline even inside quotes, and tmux expands `#(…)` in a
 * session's start directory, so such values used to become tmux commands of
 * their own (`run-shell` runs anything). They reach the pane through a file
 * its launcher reads, whole: multi-line values (a PEM key) arrive intact.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { homePaths } from "../../core/index.js";
import { killTmuxServer, SessionManager } from "../../sessions/index.js";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, tempHome, type TestSwarm } from "../helpers/swarm.js";

const PEM = [
  "-----BEGIN OPENSSH PRIVATE KEY-----",
  "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
  "QyNTUxOQAAACBk0a+/'quotes\" and $dollars; and \\backslashes",
  "-----END OPENSSH PRIVATE KEY-----",
  "",
].join("\n");

/** A value that ends a control-mode command and starts a tmux command of its own. */
function breakout(marker: string): string {
  return `harmless\nrun-shell "touch ${marker}"\nset-option -g status-left PWNED`;
}

describe("values from swarm.yaml reach the pane as data, never as tmux commands", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let marks: string;
  beforeAll(async () => {
    marks = mkdtempSync(join(tmpdir(), "ca-marks-"));
    const yaml = `
agents:
  - name: keys
    runtime: shell
    timeout: 30
    env:
      DEPLOY_KEY: ${JSON.stringify(PEM)}
      INNOCENT: ${JSON.stringify(breakout(join(marks, "PWNED-env")))}
`;
    swarm = await startTestSwarm(yaml);
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
    rmSync(marks, { recursive: true, force: true });
  });

  it("starts the agent with a multi-line PEM key in env, which the task receives byte for byte", async () => {
    const task = await client.submit({ task: `printf '%s' "$DEPLOY_KEY"`, agent: "keys" });
    const result = await task.result({ signal: AbortSignal.timeout(30_000) });
    expect(result.status).toBe("completed");
    expect(readFileSync(result.outputFile!, "utf8")).toBe(PEM);
  });

  it("runs no tmux command hidden in an env value after a newline, and passes the value whole", async () => {
    const task = await client.submit({ task: `printf '%s' "$INNOCENT"`, agent: "keys" });
    const result = await task.result({ signal: AbortSignal.timeout(30_000) });
    expect(readFileSync(result.outputFile!, "utf8")).toBe(breakout(join(marks, "PWNED-env")));
    expect(existsSync(join(marks, "PWNED-env"))).toBe(false);
  });
});

describe("a pane's program, arguments and folder reach tmux as data", () => {
  let home: string;
  let marks: string;
  let manager: SessionManager;
  beforeAll(async () => {
    home = tempHome();
    marks = mkdtempSync(join(tmpdir(), "ca-marks-"));
    const paths = homePaths(home);
    for (const dir of [paths.runDir, paths.shellDir]) mkdirSync(dir, { recursive: true });
    manager = await SessionManager.open(paths);
  });
  afterAll(async () => {
    await manager?.close();
    await killTmuxServer(homePaths(home).tmuxSocket);
    rmSync(home, { recursive: true, force: true });
    rmSync(marks, { recursive: true, force: true });
  });

  async function started(name: string, cwd: string, command: string[]): Promise<string[]> {
    const out = join(marks, `${name}.out`);
    await manager.ensure({
      name,
      cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", MULTI: "one\ntwo" },
      command: ["bash", "-c", `printf '%s\\0' "$@" "$MULTI" "$PWD" > ${out}.tmp && mv ${out}.tmp ${out}; sleep 30`, ...command],
    });
    const deadline = Date.now() + 10_000;
    while (!existsSync(out) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    return readFileSync(out, "utf8").split("\0");
  }

  it("passes arguments with newlines to the program whole (an interactive agent's args) and runs nothing else", async () => {
    const arg = breakout(join(marks, "PWNED-arg"));
    expect(await started("argv-1", marks, ["argv0", arg, "plain"])).toEqual([arg, "plain", "one\ntwo", marks, ""]);
    expect(existsSync(join(marks, "PWNED-arg"))).toBe(false);
  });

  it("starts the pane in a folder whose name holds a tmux format, without expanding it", async () => {
    // tmux expands formats in a start directory: #(…) runs a shell command (here named by an absolute path).
    const cwd = join(marks, `dir #(touch ${join(marks, "PWNED-cwd")}) here`);
    mkdirSync(cwd, { recursive: true });
    expect(await started("cwd-1", cwd, ["argv0"])).toEqual(["one\ntwo", cwd, ""]);
    expect(existsSync(join(marks, "PWNED-cwd"))).toBe(false);
  });
});

/**
 * `doctor` and `claude-agent login` on a fresh home before any `up`: the
 * user's own login is never taken for an agent's (the old trap: "ready,
 * logged in" from ~/.claude while every task failed "Not logged in"), each
 * agent is reported with the command that fixes it, and `login` runs the
 * program's login in the agent's folder, on a terminal only.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLI, runCli, tempHome } from "../helpers/swarm.js";

const RECORDER = resolve(import.meta.dirname, "../fixtures/programs/login-recorder.sh");
let home = "";
let user = "";
const env = () => ({ HOME: user, ANTHROPIC_API_KEY: "", CLAUDE_CONFIG_DIR: "" });
const agentFolder = (agent: string) => join(home, "agents", agent, "config");

beforeEach(() => {
  home = tempHome();
  user = mkdtempSync(join(tmpdir(), "ca-user-"));
  writeFileSync(
    join(home, "swarm.yaml"),
    `agents:\n  - name: coder\n    runtime: claude\n    command: ${RECORDER}\n    cwd: ${user}\n  - name: sh\n    runtime: shell\n`,
  );
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(user, { recursive: true, force: true });
});

function loginCheck(): { ok: boolean; detail: string; fix?: string } | undefined {
  const result = runCli(["doctor", "--json"], { home, cwd: home, env: env() });
  return (JSON.parse(result.stdout) as { checks: { name: string; ok: boolean; detail: string; fix?: string }[] }).checks.find(
    (c) => c.name === "agent coder login",
  );
}

describe("doctor on each agent's login", () => {
  it("fails an agent with no login anywhere, naming its folder and the command to run", () => {
    const check = loginCheck();
    expect(check).toMatchObject({ ok: false, detail: expect.stringContaining(join(agentFolder("coder"), ".credentials.json")) });
    expect(check?.fix).toContain(`claude-agent --home ${home} login coder`);
    const text = runCli(["doctor"], { home, cwd: home, env: env() });
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toMatch(/FAIL {2}agent coder login: /);
  });

  it("counts the user's own login only as what `up` copies in, never as the agent's", () => {
    mkdirSync(join(user, ".claude"));
    writeFileSync(
      join(user, ".claude", ".credentials.json"),
      JSON.stringify({ claudeAiOauth: { accessToken: "sk-ant-oat01-x", refreshToken: "r", expiresAt: Date.now() + 3600_000 } }),
    );
    const check = loginCheck();
    expect(check?.ok).toBe(true);
    expect(check?.detail).toMatch(/^not in its folder yet; `up` copies in your own login: logged in \(/);
    expect(existsSync(join(agentFolder("coder"), ".credentials.json"))).toBe(false);
  });
});

describe("claude-agent login", () => {
  it("refuses without a terminal, an unknown agent and an agent without a login, with exit 2", () => {
    expect(runCli(["login", "coder"], { home, cwd: home, env: env() })).toMatchObject({ exitCode: 2, stderr: expect.stringContaining("needs a terminal") });
    expect(runCli(["login", "nobody"], { home, cwd: home, env: env() })).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining('unknown agent "nobody"'),
    });
    expect(runCli(["login", "sh"], { home, cwd: home, env: env() })).toMatchObject({ exitCode: 2, stderr: expect.stringContaining("has no login") });
  });

  it("runs the program's login on the terminal with the agent's folder as its config folder", () => {
    // `script` gives the command a terminal, as a person's would be.
    const command = [process.execPath, CLI, "--home", home, "login", "coder"].map((w) => `'${w}'`).join(" ");
    const run = spawnSync("script", ["-qec", command, "/dev/null"], { cwd: home, env: { ...process.env, ...env() }, encoding: "utf8", timeout: 60_000 });
    expect(run.status).toBe(0);
    expect(readFileSync(join(agentFolder("coder"), "login-args"), "utf8")).toBe("auth\nlogin\n");
    expect(existsSync(join(agentFolder("coder"), "login-tty"))).toBe(true);
    expect(run.stdout).toContain("Login successful.");
    expect(run.stdout).toContain(`coder: logged in (${join(agentFolder("coder"), ".credentials.json")}`);
  });
});

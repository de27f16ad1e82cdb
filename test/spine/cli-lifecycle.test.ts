/**
 * The command line without a running swarm, and a swarm's life cycle through
 * it: exit codes, messages a person can act on (never a stack trace), help,
 * doctor, and init → up --detach → up (refused) → down. Through the built CLI.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive } from "../../cli/pidfile.js";
import { runCli, tempHome } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { expectExit, json, runCliAsync, STACK_LINE } from "../fixtures/spine/support.js";

const COMMANDS = ["init", "up", "down", "submit", "status", "result", "cancel", "attach", "logs", "doctor", "demo"];

describe("the CLI with no swarm running", () => {
  const home = tempHome();
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("submit exits 3 saying the swarm is not running and how to start it, without a stack trace", () => {
    const result = runCli(["submit", "--task", "echo hi"], { home, cwd: home });
    expect(result.exitCode, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/^error: the swarm is not running/m);
    expect(result.stderr).toContain("claude-agent up");
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(result.stdout).toBe("");
  });

  it("status and result exit 3 the same way", async () => {
    const commands = [["status"], ["result", "abc-123"], ["status", "--json"]];
    const results = await Promise.all(commands.map((args) => runCliAsync(args, { home })));
    for (const [i, args] of commands.entries()) {
      const result = results[i]!;
      expect(result.exitCode, args.join(" ")).toBe(3);
      expect(result.stderr).toMatch(/not running/);
      expect(result.stderr).not.toMatch(STACK_LINE);
    }
  });

  it("up exits 2 on an invalid swarm.yaml, listing every problem with its field path, and starts nothing", () => {
    const dir = join(home, "bad");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "swarm.yaml"),
      [
        "agents:",
        "  - name: api",
        "    runtime: zsh",
        "  - name: web",
        "    runtime: shell",
        "    replicas: 0",
        "    colour: blue",
        "default_agent: nobody",
        "",
      ].join("\n"),
    );
    const result = runCli(["up", "--config", "swarm.yaml"], { home, cwd: dir });
    expect(result.exitCode, result.stderr).toBe(2);
    const problems = result.stderr
      .split("\n")
      .filter((line) => line.startsWith("  swarm.yaml: "))
      .map((line) => line.trim());
    expect(problems).toEqual(
      expect.arrayContaining([
        "swarm.yaml: agents.1.replicas: expected a positive integer, got 0",
        expect.stringMatching(/^swarm\.yaml: agents\.0\.runtime: expected one of "shell"(, "[a-z]+")*, got "zsh"$/),
        "swarm.yaml: agents.1.colour: unknown key",
        expect.stringMatching(/^swarm\.yaml: default_agent: unknown agent "nobody"; agents are api, web$/),
      ]),
    );
    expect(problems).toHaveLength(4);
    expect(result.stderr).toMatch(/^error: invalid configuration$/m);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(join(home, "run", "daemon.pid"))).toBe(false);
    expect(existsSync(join(home, "run", "redis.sock"))).toBe(false);
  });

  it("--help works for the program and for every command it lists, exiting 0", async () => {
    const top = runCli(["--help"], { home, cwd: home });
    expectExit(top, 0);
    const listed = top.stdout
      .slice(top.stdout.indexOf("Commands:"))
      .split("\n")
      .slice(1)
      .map((line) => /^  ([a-z][a-z-]*)\b/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined && name !== "help");
    expect(listed).toEqual(expect.arrayContaining(COMMANDS));
    const each = await Promise.all(listed.map((command) => runCliAsync([command, "--help"], { home })));
    listed.forEach((command, i) => {
      expectExit(each[i]!, 0);
      expect(each[i]!.stdout, command).toMatch(new RegExp(`^Usage: claude-agent ${command}\\b`, "m"));
    });
  });

  it("doctor reports Node, tmux, redis-server and the home as ok on this machine, and exits 0 exactly when every check passes", async () => {
    const [text, asJson] = await Promise.all([runCliAsync(["doctor"], { home }), runCliAsync(["doctor", "--json"], { home })]);
    for (const name of ["node", "tmux", "redis-server", "home"]) expect(text.stdout).toMatch(new RegExp(`^ok\\s+${name}:`, "m"));
    const report = json(asJson);
    expect(report.checks.map((check: { name: string }) => check.name)).toEqual(expect.arrayContaining(["node", "tmux", "redis-server", "home", "redis"]));
    const allOk = report.checks.every((check: { ok: boolean }) => check.ok);
    expect(report.ok).toBe(allOk);
    expectExit(text, allOk ? 0 : 1);
    expectExit(asJson, allOk ? 0 : 1);
    expect(text.stdout).toContain(allOk ? "all checks passed" : "problem(s) found");
    expect(text.stderr).not.toMatch(STACK_LINE);
  });
});

describe("init, up --detach and down", () => {
  const home = tempHome();
  const project = join(home, "project");
  mkdirSync(project);
  afterAll(() => {
    runCli(["down"], { home, cwd: project });
    rmSync(home, { recursive: true, force: true });
  });

  it("init writes a swarm.yaml, refuses to overwrite it without --force, and up --detach accepts it; a second up refuses; down stops it all", () => {
    // Shell agents whatever programs this machine can run (init would otherwise pick them).
    const init = runCli(["init", "--template", "shell"], { home, cwd: project });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(existsSync(join(project, "swarm.yaml"))).toBe(true);
    const again = runCli(["init"], { home, cwd: project });
    expect(again.exitCode, again.stderr).toBe(2);
    expect(again.stderr).toMatch(/already exists/);

    const up = runCli(["up", "--detach", "--json"], { home, cwd: project });
    expect(up.exitCode, up.stderr + up.stdout).toBe(0);
    const started = json(up);
    expect(started).toMatchObject({ home, config: join(project, "swarm.yaml") });
    expect(typeof started.pid).toBe("number");

    const status = json(runCli(["status", "--json"], { home, cwd: project }));
    expect(status.daemon).toMatchObject({ alive: true, pid: started.pid });
    expect(status.agents.map((agent: { name: string }) => agent.name)).toEqual(["backend-api", "frontend-ui", "database", "testing", "deployment"]);

    const submitted = runCli(["submit", "--task", "echo deploy it", "--wait", "--json"], { home, cwd: project });
    expect(submitted.exitCode, submitted.stderr).toBe(0);
    expect(json(submitted)).toMatchObject({ agent: "deployment", session: "deployment-1", status: "completed", output: "deploy it\n" });

    const second = runCli(["up", "--detach"], { home, cwd: project });
    expect(second.exitCode, second.stderr).toBe(2);
    expect(second.stderr).toContain(`already running (pid ${started.pid})`);
    expect(second.stderr).not.toMatch(STACK_LINE);
    const secondForeground = runCli(["up"], { home, cwd: project });
    expect(secondForeground.exitCode, secondForeground.stderr).toBe(2);
    expect(secondForeground.stderr).toContain("already running");

    const down = runCli(["down"], { home, cwd: project });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/^stopped: daemon \(pid \d+\), tmux sessions, redis$/m);
    expectExit(runCli(["status"], { home, cwd: project }), 3);
    // Gone, or a zombie the machine's init has not reaped yet (that can take seconds here).
    expect(isAlive(started.pid)).toBe(false);
    const idle = runCli(["down"], { home, cwd: project });
    expect(idle.exitCode, idle.stderr).toBe(0);
    expect(idle.stdout).toContain("nothing was running");
  });
});

describe("a swarm started with up --detach", () => {
  const home = tempHome();
  afterAll(() => {
    runCli(["down"], { home, cwd: home });
    rmSync(home, { recursive: true, force: true });
  });
  const readyPid = (): number | null => {
    const file = join(home, "run", "daemon.ready");
    const pid = existsSync(file) ? Number.parseInt(readFileSync(file, "utf8"), 10) : Number.NaN;
    return Number.isInteger(pid) && isAlive(pid) ? pid : null;
  };

  it("heals itself when its daemon is killed -9 (as under pm2), and stays down after `down`", async () => {
    writeFileSync(join(home, "swarm.yaml"), "agents:\n  - name: alpha\n    runtime: shell\n");
    const up = runCli(["up", "--detach", "--json"], { home, cwd: home });
    expect(up.exitCode, up.stderr + up.stdout).toBe(0);
    const first = json(up).pid as number;

    process.kill(first, "SIGKILL");
    const second = await waitFor("a new daemon", () => {
      const pid = readyPid();
      return pid !== null && pid !== first ? pid : null;
    });
    const healed = runCli(["submit", "--task", "echo healed", "--agent", "alpha", "--wait", "--json"], { home, cwd: home });
    expect(healed.exitCode, healed.stderr).toBe(0);
    expect(json(healed)).toMatchObject({ status: "completed", output: "healed\n" });
    expect(readFileSync(join(home, "logs", "daemon.out"), "utf8")).toMatch(/keeper: the daemon \(pid \d+\) was killed by SIGKILL; starting it again/);

    const down = runCli(["down"], { home, cwd: home });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toContain(`daemon (pid ${second})`);
    // Longer than the keeper's first restart delay: nothing comes back.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(readyPid()).toBe(null);
    expect(existsSync(join(home, "run", "keeper.pid"))).toBe(false);
    expectExit(runCli(["status"], { home, cwd: home }), 3);
  });
});

describe("down when tmux lost its socket file", () => {
  const home = tempHome();
  afterAll(() => {
    runCli(["down"], { home });
    rmSync(home, { recursive: true, force: true });
  });

  /** tmux processes whose command line names this home's socket. */
  const tmuxOn = (socket: string): number[] =>
    readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .filter((entry) => {
        try {
          const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
          const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
          return argv[0]?.endsWith("tmux") && argv[argv.indexOf("-S") + 1] === socket && !/\) Z /.test(stat);
        } catch {
          return false;
        }
      })
      .map(Number);

  it("still stops the tmux server, found by its command line, and says so", async () => {
    writeFileSync(join(home, "swarm.yaml"), "agents:\n  - name: alpha\n    runtime: shell\n");
    expectExit(runCli(["up", "--detach"], { home, cwd: home }), 0);
    const socket = join(home, "run", "tmux.sock");
    expect(tmuxOn(socket).length).toBeGreaterThan(0);
    // The socket file is gone (deleted by hand, or replaced): `tmux kill-server` can no longer reach the server.
    renameSync(socket, join(home, "run", "lost.sock"));
    const down = runCli(["down"], { home, cwd: home });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/unreachable tmux process/);
    for (let i = 0; i < 40 && tmuxOn(socket).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(tmuxOn(socket)).toEqual([]);
  });
});

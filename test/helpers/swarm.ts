import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { homePaths, type HomePaths } from "../../core/index.js";
import { connect, type Swarm } from "../../client/index.js";
import { CLI, type CliResult, runCli } from "./cli.js";

export { CLI, runCli, type CliResult } from "./cli.js";

/** A short temp folder (unix socket paths must stay under ~104 bytes), marked as a home: tests put their files in it before `up`. */
export function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), "ca-"));
  writeFileSync(join(home, ".claude-agent-home"), "");
  return home;
}

export interface TestSwarm {
  readonly home: string;
  readonly paths: HomePaths;
  readonly configFile: string;
  daemon: ChildProcess | null;
  /** Starts (again) the foreground daemon `claude-agent up` and waits until it is ready. */
  start(): Promise<void>;
  /** SIGKILLs the daemon (bridge + supervisor): tmux and Redis live on. */
  kill9(): Promise<void>;
  connect(): Promise<Swarm>;
  cli(args: readonly string[], options?: { input?: string }): CliResult;
  /** `claude-agent down` and removal of the home. */
  destroy(): Promise<void>;
}

export const SHELL_AGENTS = `
agents:
  - name: alpha
    runtime: shell
    replicas: 2
    routes: [api, server]
    timeout: 60
  - name: beta
    runtime: shell
    replicas: 1
    routes: [test, tests]
    timeout: 60
default_agent: alpha
`;

/**
 * `home`: a folder of the caller's (default: a new one under the temp dir); it is removed by destroy().
 * `nodeArgs`: given to the daemon's node before the CLI (`--import` of a module registering a test-only runtime).
 * `upArgs`: more arguments of `up` (`--host NAME` for one host of a swarm with `hosts:`).
 */
export async function startTestSwarm(
  yaml = SHELL_AGENTS,
  options: { env?: NodeJS.ProcessEnv; home?: string; nodeArgs?: readonly string[]; upArgs?: readonly string[] } = {},
): Promise<TestSwarm> {
  const home = options.home ?? tempHome();
  // The helper puts its log (daemon.test.log) in the home before `up`: a home given by a test is marked as one.
  mkdirSync(home, { recursive: true });
  if (!existsSync(join(home, ".claude-agent-home"))) writeFileSync(join(home, ".claude-agent-home"), "");
  const paths = homePaths(home);
  const configFile = join(home, "swarm.yaml");
  // The HTTP API has its own tests (test/api, on port 0); other test swarms run without it, as the
  // machine has one default port (127.0.0.1:7433) and the API would only add to every start-up.
  writeFileSync(configFile, /^api:/m.test(yaml) ? yaml : `${yaml.trimEnd()}\napi: false\n`);
  const opened: Swarm[] = [];
  const swarm: TestSwarm = {
    home,
    paths,
    configFile,
    daemon: null,
    async start() {
      const ready = join(paths.runDir, "daemon.ready");
      rmSync(ready, { force: true });
      const log = openSync(join(home, "daemon.test.log"), "a");
      const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, "--home", home, "up", "--config", configFile, ...(options.upArgs ?? [])], {
        cwd: home,
        env: { ...process.env, ...options.env },
        stdio: ["ignore", log, log],
      });
      closeSync(log);
      swarm.daemon = child;
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if (existsSync(ready) && readFileSync(ready, "utf8").trim() === String(child.pid)) return;
        if (child.exitCode !== null || child.signalCode !== null) break; // exited, or killed
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`daemon did not become ready:\n${readFileSync(join(home, "daemon.test.log"), "utf8")}`);
    },
    async kill9() {
      const child = swarm.daemon;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
      swarm.daemon = null;
    },
    async connect() {
      const client = await connect({ home });
      opened.push(client);
      return client;
    },
    cli(args, cliOptions = {}) {
      return runCli(args, { home, cwd: home, env: options.env, input: cliOptions.input });
    },
    async destroy() {
      await Promise.allSettled(opened.map((client) => client.close()));
      runCli(["down"], { home });
      if (swarm.daemon && swarm.daemon.exitCode === null) swarm.daemon.kill("SIGKILL");
      if (process.env.CA_TEST_KEEP) console.log(`kept home ${home}`);
      else rmSync(home, { recursive: true, force: true });
    },
  };
  await swarm.start();
  return swarm;
}

import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CLI } from "../helpers/swarm.js";

/** Live (not zombie) processes whose command line satisfies `match`. */
export function processesWhere(match: (argv: string[]) => boolean): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        return !/\) Z /.test(stat) && match(argv);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** redis-servers serving this home's socket (redis-server titles itself `redis-server unixsocket:<path>`). */
export const redisServersOf = (home: string): number[] =>
  processesWhere((argv) => argv[0]?.startsWith("redis-server") === true && argv.join(" ").includes(`unixsocket:${join(home, "run", "redis.sock")}`));

/** tmux servers and clients on this home's socket. */
export const tmuxOf = (home: string): number[] => processesWhere((argv) => argv[0]?.endsWith("tmux") === true && argv.includes(join(home, "run", "tmux.sock")));

export interface Daemon {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  exited(): boolean;
}

/** `claude-agent --home HOME up --config FILE` in the foreground, its output in a file of its own. */
export function spawnUp(home: string, configFile: string, tag: string, env: NodeJS.ProcessEnv = {}): Daemon {
  const logFile = join(home, `up-${tag}.log`);
  const log = openSync(logFile, "a");
  const child = spawn(process.execPath, [CLI, "--home", home, "up", "--config", configFile], {
    cwd: home,
    env: { ...process.env, ...env },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  return {
    child,
    pid: child.pid!,
    output: () => readFileSync(logFile, "utf8"),
    exited: () => child.exitCode !== null || child.signalCode !== null,
  };
}

/** Whether the daemon wrote the ready file with its own pid. */
export function isReady(home: string, daemon: Daemon): boolean {
  const file = join(home, "run", "daemon.ready");
  return existsSync(file) && readFileSync(file, "utf8").trim() === String(daemon.pid);
}

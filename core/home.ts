import { mkdirSync, chmodSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { EnvironmentError } from "./errors.js";

/** Every path a swarm creates, all under one home directory. */
export interface HomePaths {
  readonly root: string;
  readonly redisSocket: string;
  readonly redisDir: string;
  readonly redisConf: string;
  readonly redisPid: string;
  readonly redisLog: string;
  readonly tmuxSocket: string;
  readonly tmuxConf: string;
  readonly shellDir: string;
  readonly jobsDir: string;
  readonly outputDir: string;
  readonly logsDir: string;
  readonly runDir: string;
  readonly daemonPid: string;
  readonly configCopy: string;
}

/** Unix socket paths longer than this fail to bind (sun_path is 108 bytes on Linux). */
const MAX_SOCKET_PATH = 104;

export function resolveHome(explicit?: string): string {
  const raw = explicit ?? process.env.CLAUDE_AGENT_HOME ?? join(homedir(), ".claude-agent");
  return resolve(raw);
}

export function homePaths(root: string): HomePaths {
  const run = join(root, "run");
  return {
    root,
    redisSocket: join(run, "redis.sock"),
    redisDir: join(root, "redis"),
    redisConf: join(root, "redis", "redis.conf"),
    redisPid: join(run, "redis.pid"),
    redisLog: join(root, "logs", "redis.log"),
    tmuxSocket: join(run, "tmux.sock"),
    tmuxConf: join(root, "tmux.conf"),
    shellDir: join(root, "shell"),
    jobsDir: join(root, "jobs"),
    outputDir: join(root, "output"),
    logsDir: join(root, "logs"),
    runDir: run,
    daemonPid: join(run, "daemon.pid"),
    configCopy: join(root, "swarm.resolved.json"),
  };
}

/** Creates the home (mode 0700) and its sub-folders; idempotent. */
export function ensureHome(root: string): HomePaths {
  const paths = homePaths(root);
  if (paths.redisSocket.length > MAX_SOCKET_PATH) {
    throw new EnvironmentError(`CLAUDE_AGENT_HOME is too long for a unix socket path: ${root}`, {
      hint: `Use a home whose path is shorter than ${MAX_SOCKET_PATH - 15} characters.`,
    });
  }
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    chmodSync(root, 0o700);
    for (const dir of [paths.redisDir, paths.shellDir, paths.jobsDir, paths.outputDir, paths.logsDir, paths.runDir]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
  } catch (cause) {
    throw new EnvironmentError(`cannot create the swarm home ${root}`, {
      cause,
      hint: "Check that the parent folder is writable, or set CLAUDE_AGENT_HOME to another folder.",
    });
  }
  return paths;
}

export function homeMode(root: string): number | undefined {
  try {
    return statSync(root).mode & 0o777;
  } catch {
    return undefined;
  }
}

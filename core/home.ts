import { mkdirSync, chmodSync, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { EnvironmentError } from "./errors.js";
import { ensureMarker, HOME_MARKER, readHomeMarker, type HomeMarker } from "./home-marker.js";

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
  /** The keeper of an `up --detach` swarm, which starts its daemon again when it dies (cli/commands/keep.ts). */
  readonly keeperPid: string;
  readonly configCopy: string;
  /** The file that marks the folder as a home (core/home-marker.ts). */
  readonly marker: string;
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
    keeperPid: join(run, "keeper.pid"),
    configCopy: join(root, "swarm.resolved.json"),
    marker: join(root, HOME_MARKER),
  };
}

const SUBDIRS = ["redis", "shell", "jobs", "output", "logs", "run"] as const;
/**
 * What a folder may hold and still become a home without a marker: a swarm.yaml put there for `up`,
 * and the things a home holds (a home left half-made, or one of an older version missing a folder).
 */
const HOME_FILES = new Set(["swarm.yaml", "swarm.yml", ...SUBDIRS, "agents", "worktrees", "tmux.conf", "swarm.resolved.json"]);

/**
 * Creates the home (mode 0700) and its sub-folders; idempotent. An existing
 * folder is used (and chmodded to 0700) only when it is one of ours: marked as
 * a home, a home made before the marker existed, empty, or holding nothing
 * but a swarm.yaml. Anything else (`--home /tmp`, a project folder) is refused
 * untouched: its permissions are not ours to change.
 */
export function ensureHome(root: string): HomePaths & { readonly identity: HomeMarker } {
  const paths = homePaths(root);
  if (paths.redisSocket.length > MAX_SOCKET_PATH) {
    throw new EnvironmentError(`CLAUDE_AGENT_HOME is too long for a unix socket path: ${root}`, {
      hint: `Use a home whose path is shorter than ${MAX_SOCKET_PATH - 15} characters.`,
    });
  }
  let identity: HomeMarker;
  try {
    const created = mkdirSync(root, { recursive: true, mode: 0o700 }) !== undefined;
    identity = created ? ensureMarker(root) : adoptExisting(root);
    if ((statSync(root).mode & 0o777) !== 0o700) chmodSync(root, 0o700);
    for (const dir of SUBDIRS) mkdirSync(join(root, dir), { recursive: true, mode: 0o700 });
  } catch (cause) {
    if (cause instanceof EnvironmentError) throw cause;
    throw new EnvironmentError(`cannot create the swarm home ${root}`, {
      cause,
      hint: "Check that the parent folder is writable, or set CLAUDE_AGENT_HOME to another folder.",
    });
  }
  return { ...paths, identity };
}

/** The marker of an existing folder that may be a home, given one if needed; throws for a folder that is not ours. */
function adoptExisting(root: string): HomeMarker {
  const stat = statSync(root);
  if (!stat.isDirectory())
    throw new EnvironmentError(`the swarm home ${root} exists and is not a folder`, { hint: "Choose another --home or CLAUDE_AGENT_HOME." });
  const uid = process.geteuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new EnvironmentError(`the swarm home ${root} belongs to another user (uid ${stat.uid})`, {
      hint: "Use a home of your own: --home DIR or CLAUDE_AGENT_HOME.",
    });
  }
  if (readHomeMarker(root)) return ensureMarker(root);
  // A marker being written by a concurrent `up` shows as a temporary file next to where it goes.
  const entries = readdirSync(root).filter((entry) => !entry.startsWith(`${HOME_MARKER}.`));
  const legacy = SUBDIRS.every((dir) => entries.includes(dir));
  if (legacy || entries.every((entry) => HOME_FILES.has(entry))) return ensureMarker(root, { legacy });
  throw new EnvironmentError(
    `${root} is not empty and is not a claude-agent home; refusing to use it (a home is made private, mode 0700, and filled with the swarm's files)`,
    {
      hint: `Use a new or empty folder (--home DIR or CLAUDE_AGENT_HOME), or, if this folder is meant to be the home, mark it: touch ${join(root, HOME_MARKER)}`,
      context: { home: root },
    },
  );
}

export function homeMode(root: string): number | undefined {
  try {
    return statSync(root).mode & 0o777;
  } catch {
    return undefined;
  }
}

/** A worktree task's patch, beside its output log (`<output>/<id>.diff`): found by the task's id, never by a path a record names. */
export function taskDiffFile(outputDir: string, taskId: string): string {
  return join(outputDir, `${taskId}.diff`);
}

import { existsSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import { execa } from "execa";
import {
  ConfigError,
  EnvironmentError,
  findConfigFile,
  isSandboxed,
  loadConfig,
  type SwarmConfig,
  homeMode,
  homePaths,
  checkEvictionPolicy,
  connectOrFail,
  describeTarget,
  redisServerVersion,
  redisTarget,
  describeHistoryWriter,
  HISTORY_BEHIND_LIMIT,
  homePrefix,
  keys as keysOf,
  readHistoryWriterState,
} from "../core/index.js";
import { redisSecurityChecks } from "./redis-checks.js";
import { hostChecks } from "./host-checks.js";
import { ownVersion } from "./agent-programs.js";
import { bwrapProbeArgs } from "../bridge/index.js";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** A command (or precise step) that makes a failing check pass. */
  fix?: string;
}

export interface DoctorOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
  /** Where swarm.yaml is looked for first (default: this process's folder), as `up` would. */
  cwd?: string;
}

const MIN_NODE = 20;
/** The oldest Node line still maintained (22 and 24 are the LTS lines in December 2026). */
const CURRENT_NODE = 22;
const MIN_TMUX: readonly [number, number] = [3, 2];

/** Quotes a path for a copy-pasteable shell command only when it needs it. */
function sh(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

function checkNode(): Check {
  const version = process.versions.node;
  const major = Number.parseInt(version.split(".")[0] ?? "0", 10);
  if (major >= MIN_NODE && major < CURRENT_NODE) {
    return {
      name: "node",
      ok: true,
      detail: `v${version}: Node ${major} is past its end of life (Node 20: April 2026); claude-agent still runs and is tested on it, but the current Claude Code and Qwen Code need Node ${CURRENT_NODE} (give those agents \`node: ${CURRENT_NODE}\`, or move to Node ${CURRENT_NODE} or 24)`,
    };
  }
  return major >= MIN_NODE
    ? { name: "node", ok: true, detail: `v${version}` }
    : {
        name: "node",
        ok: false,
        detail: `v${version} is older than ${MIN_NODE}`,
        fix: `nvm install ${MIN_NODE} (or install Node ${MIN_NODE}+ from nodejs.org)`,
      };
}

async function checkTmux(): Promise<Check> {
  const fix = "sudo apt-get install -y tmux";
  const result = await execa("tmux", ["-V"], { reject: false, timeout: 5000 });
  if (result.failed) return { name: "tmux", ok: false, detail: "not installed", fix };
  const text = String(result.stdout).trim();
  const match = /(\d+)\.(\d+)/.exec(text);
  const [major, minor] = [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
  const recent = major > MIN_TMUX[0] || (major === MIN_TMUX[0] && minor >= MIN_TMUX[1]);
  return recent
    ? { name: "tmux", ok: true, detail: text }
    : {
        name: "tmux",
        ok: false,
        detail: `${text} is older than ${MIN_TMUX.join(".")}`,
        fix: `${fix} (from a newer release), or build tmux ≥ ${MIN_TMUX.join(".")}`,
      };
}

async function checkRedisServer(env: NodeJS.ProcessEnv): Promise<Check> {
  if (env.REDIS_URL) return { name: "redis-server", ok: true, detail: "not needed: REDIS_URL is set" };
  const version = await redisServerVersion();
  return version
    ? { name: "redis-server", ok: true, detail: `v${version}` }
    : { name: "redis-server", ok: false, detail: "not installed", fix: "sudo apt-get install -y redis-server (or set REDIS_URL to an existing server)" };
}

function checkHome(home: string): Check {
  const mode = homeMode(home);
  if (mode === undefined) return { name: "home", ok: true, detail: `${home} will be created by \`claude-agent up\`` };
  const octal = mode.toString(8).padStart(4, "0");
  return mode === 0o700
    ? { name: "home", ok: true, detail: `${home} (mode ${octal})` }
    : { name: "home", ok: false, detail: `${home} has mode ${octal}, others can reach its sockets`, fix: `chmod 700 ${sh(home)}` };
}

/** Below this, output files, Redis' append-only file and logs are about to fail to be written. */
const MIN_FREE_BYTES = 64 * 1024 * 1024;

/** Free space where the home's files go (the output folder, or the nearest folder that exists). */
export function checkDisk(home: string, minFree = MIN_FREE_BYTES): Check {
  let dir = homePaths(home).outputDir;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  let free: number;
  try {
    const disk = statfsSync(dir);
    free = disk.bavail * disk.bsize;
  } catch (error) {
    return { name: "disk", ok: false, detail: `cannot examine ${dir}: ${(error as Error).message}` };
  }
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
  return free >= minFree
    ? { name: "disk", ok: true, detail: `${mb(free)} free for ${dir}` }
    : {
        name: "disk",
        ok: false,
        detail: `only ${mb(free)} free for ${dir}: task output, Redis' append-only file and logs are written there`,
        fix: `free space on that disk, or move the swarm: CLAUDE_AGENT_HOME=/path/with/space claude-agent up`,
      };
}

async function checkRedis(options: DoctorOptions, env: NodeJS.ProcessEnv): Promise<Check[]> {
  const { home } = options;
  const target = redisTarget(homePaths(home), env);
  const where = describeTarget(target);
  const cli =
    target.kind === "url"
      ? `redis-cli -u ${sh(target.url)}`
      : target.kind === "sentinel"
        ? `redis-cli${target.tls ? " --tls --cacert CA.pem" : ""} -h ${sh(target.sentinels[0]!.host)} -p ${target.sentinels[0]!.port} SENTINEL GET-MASTER-ADDR-BY-NAME ${sh(target.name)} && redis-cli${target.tls ? " --tls --cacert CA.pem" : ""} -h PRIMARY -p PORT`
        : `redis-cli -s ${sh(target.socket)}`;
  let redis: Awaited<ReturnType<typeof connectOrFail>>;
  try {
    redis = await connectOrFail(target, 1000);
  } catch {
    return target.kind !== "embedded"
      ? [
          {
            name: "redis",
            ok: false,
            detail: `no Redis answers at ${where} (${target.kind === "url" ? "REDIS_URL" : "swarm.yaml's redis:"})`,
            fix:
              target.kind === "url"
                ? `${cli} PING  # fix REDIS_URL, or unset it to use the embedded Redis`
                : `${cli} PING  # fix redis.sentinels / redis.name in swarm.yaml, then \`claude-agent up\` again`,
          },
        ]
      : [{ name: "redis", ok: true, detail: "not running; `claude-agent up` starts it" }];
  }
  try {
    const checks: Check[] = [{ name: "redis", ok: true, detail: `answers at ${where}` }];
    try {
      const warning = await checkEvictionPolicy(redis, where);
      checks.push({ name: "redis eviction policy", ok: true, detail: warning ?? "noeviction" });
    } catch (error) {
      if (!(error instanceof EnvironmentError)) throw error;
      checks.push({ name: "redis eviction policy", ok: false, detail: error.message, fix: `${cli} CONFIG SET maxmemory-policy noeviction` });
    }
    checks.push(await checkHistoryWriter(redis, home));
    // A swarm spanning hosts: this machine's clock and claude-agent against the others' (cli/host-checks.ts).
    const config = configForDoctor(options);
    if (typeof config !== "string" && (config.hosts?.length ?? 0) > 0) checks.push(...(await hostChecks(redis, keysOf(homePrefix(home)), ownVersion())));
    return checks;
  } finally {
    redis.disconnect();
  }
}

/** The daemon's history writer (docs/HISTORY.md): degraded, or so far behind that the stream's trimming would lose events, fails. */
async function checkHistoryWriter(redis: Awaited<ReturnType<typeof connectOrFail>>, home: string): Promise<Check> {
  let writer: Awaited<ReturnType<typeof readHistoryWriterState>>;
  try {
    writer = await readHistoryWriterState(redis, keysOf(homePrefix(home)));
  } catch (error) {
    return { name: "history writer", ok: false, detail: `its state cannot be read: ${(error as Error).message}` };
  }
  const detail = describeHistoryWriter(writer);
  if (writer.state === "degraded") {
    return {
      name: "history writer",
      ok: false,
      detail,
      fix: "make the store reachable again (database.url, or the disk of the home's history.db); the waiting events are written then",
    };
  }
  if ((writer.behind ?? 0) > HISTORY_BEHIND_LIMIT) {
    return { name: "history writer", ok: false, detail, fix: "the writer cannot keep up: look at the daemon's log (logs/daemon.out) for history.* lines" };
  }
  return { name: "history writer", ok: true, detail };
}

/**
 * The sandbox (`sandbox: bwrap`): whether bubblewrap runs here, as the bridge
 * runs it (a pid namespace; no capabilities as root), and which agents of
 * the swarm.yaml `up` would use run unsandboxed. bwrap missing fails the
 * check unless that file sandboxes no agent.
 */
export async function sandboxChecks(options: DoctorOptions): Promise<Check[]> {
  const config = configForDoctor(options);
  const agents = typeof config === "string" ? null : config.agents;
  return [await checkBubblewrap(agents === null || agents.some(isSandboxed), options.env), checkUnsandboxed(config)];
}

export async function checkBubblewrap(needed: boolean, env: NodeJS.ProcessEnv = process.env): Promise<Check> {
  const fix = "sudo apt-get install -y bubblewrap (or npm run setup)";
  // reject: false answers a failed run; whatever execa still throws counts as bwrap missing.
  const result = await execa("bwrap", bwrapProbeArgs(process.getuid?.() === 0), { reject: false, timeout: 5000, stdin: "ignore", env }).catch(() => null);
  if (result && !result.failed) return { name: "bubblewrap", ok: true, detail: "bwrap runs a sandbox here" };
  const missing = result === null || (result as { code?: string }).code === "ENOENT";
  const why = missing ? "not installed" : `bwrap fails: ${String(result.stderr).trim() || `exit code ${result.exitCode}`}`;
  if (!needed) return { name: "bubblewrap", ok: true, detail: `${why} (no agent in swarm.yaml has \`sandbox: bwrap\`)` };
  return {
    name: "bubblewrap",
    ok: false,
    detail: `${why}; agents with \`sandbox: bwrap\` cannot start`,
    fix: missing ? fix : `${fix}; on a kernel without unprivileged user namespaces, run the swarm as root or set \`sandbox: none\``,
  };
}

/** Which agents run their tasks with the swarm's user's access: informational, since `sandbox: none` is a choice. */
export function checkUnsandboxed(config: SwarmConfig | string): Check {
  if (typeof config === "string") return { name: "sandbox", ok: true, detail: config };
  const open = config.agents.filter((agent) => !isSandboxed(agent)).map((agent) => `${agent.name}${agent.sandbox ? "" : " (no sandbox key)"}`);
  if (open.length === 0) return { name: "sandbox", ok: true, detail: `every agent runs in a bwrap sandbox (${config.source})` };
  return {
    name: "sandbox",
    ok: true,
    detail: `unsandboxed, with the swarm user's access to its home, sockets and job files: ${open.join(", ")} (${config.source}; set \`sandbox: bwrap\` to change that)`,
  };
}

/** The swarm.yaml `up` would load, or why there is none to look at. */
function configForDoctor(options: DoctorOptions): SwarmConfig | string {
  const cwd = options.cwd ?? process.cwd();
  try {
    const file = findConfigFile({ cwd, home: options.home });
    return file === null ? "no swarm.yaml found: no agent to check" : loadConfig({ cwd, home: options.home, explicit: file });
  } catch (error) {
    return `swarm.yaml does not load (${error instanceof ConfigError ? (error.problems[0] ?? error.message) : error instanceof Error ? error.message : String(error)})`;
  }
}

/** Every check `claude-agent doctor` prints; never throws for a failing check. */
export async function runDoctorChecks(options: DoctorOptions): Promise<Check[]> {
  const env = options.env ?? process.env;
  const [tmux, redisServer, redis, redisSecurity, sandbox] = await Promise.all([
    checkTmux(),
    checkRedisServer(env),
    checkRedis(options, env),
    redisSecurityChecks(options.home, env),
    sandboxChecks(options),
  ]);
  return [checkNode(), tmux, redisServer, checkHome(options.home), checkDisk(options.home), ...redis, ...redisSecurity, ...sandbox];
}

export { discoverPrograms, PROGRAMS, type ProgramReport, type DiscoverOptions } from "./agent-programs.js";

import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, EnvironmentError } from "../errors.js";
import type { HomePaths } from "../home.js";
import type { RedisConfig, SentinelAddress, SentinelTlsConfig } from "../config/index.js";

/**
 * Where the swarm's Redis lives: the private server under the home, an existing one named by REDIS_URL,
 * or the primary of a Redis Sentinel group (`redis: { sentinels, name }` in swarm.yaml), found by asking
 * the sentinels, again after every failover.
 */
export type RedisTarget = { readonly kind: "embedded"; readonly socket: string } | { readonly kind: "url"; readonly url: string } | SentinelTarget;

export interface SentinelTarget {
  readonly kind: "sentinel";
  readonly sentinels: readonly SentinelAddress[];
  /** The master group's name, as the sentinels monitor it (`sentinel monitor <name> …`). */
  readonly name: string;
  /** The data nodes' ACL user (`username`); absent: the default user. */
  readonly username?: string;
  /** The data nodes' password (read from the variable `password_env` names); absent when none. */
  readonly password?: string;
  /** The sentinels' ACL user (`sentinel_username`); absent: their default user. */
  readonly sentinelUsername?: string;
  /** The sentinels' own password (`sentinel_password_env`); absent when they need none. */
  readonly sentinelPassword?: string;
  /** `redis.tls`: TLS to the sentinels and to the data nodes, with the PEM files already read; absent: plain TCP. */
  readonly tls?: SentinelTls;
}

/** node:tls options for every connection of a Sentinel group (the sentinels and the data nodes alike). */
export interface SentinelTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly servername?: string;
}

/**
 * What `up` records in the home so that every other process of the swarm (the CLI, the SDK, the TUI) reaches the
 * same sentinels without reading swarm.yaml: only the names of the variables holding passwords, never their values.
 */
interface StoredSentinelTarget {
  readonly kind: "sentinel";
  readonly sentinels: readonly SentinelAddress[];
  readonly name: string;
  readonly passwordEnv: string | null;
  readonly sentinelPasswordEnv: string | null;
  /** ACL user names (not secrets: AUTH's first word). Absent in records written before they existed. */
  readonly username?: string | null;
  readonly sentinelUsername?: string | null;
  /** Absent in records written before sentinels had TLS, and when it is off. */
  readonly tls?: SentinelTlsConfig;
}

export function redisTargetFile(paths: HomePaths): string {
  return join(paths.root, "redis-target.json");
}

/** REDIS_URL first (as before sentinels existed), then the sentinels the home's last `up` recorded, else the embedded server. */
export function redisTarget(paths: HomePaths, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  const url = env.REDIS_URL?.trim();
  if (url) return { kind: "url", url };
  const stored = readStoredTarget(paths);
  if (stored) return resolveSentinelTarget(stored, env, "record");
  return { kind: "embedded", socket: paths.redisSocket };
}

/** Whether the home's Redis is its own embedded server (not REDIS_URL, not a Sentinel group); reads no secrets. */
export function usesEmbeddedRedis(paths: HomePaths, env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.REDIS_URL?.trim() && !existsSync(redisTargetFile(paths));
}

/** The target swarm.yaml's `redis:` asks for, with its passwords read from `env`; null when it names no sentinels. */
export function configuredSentinelTarget(config: RedisConfig | undefined, env: NodeJS.ProcessEnv = process.env): SentinelTarget | null {
  if (!config?.sentinel) return null;
  return resolveSentinelTarget(storedTarget(config.sentinel), env, "config");
}

/** What `up` records of swarm.yaml's `redis:` sentinels: names of variables and users, paths of TLS files, never a secret. */
function storedTarget(sentinel: NonNullable<RedisConfig["sentinel"]>): StoredSentinelTarget {
  const { sentinels, name, passwordEnv, sentinelPasswordEnv, username, sentinelUsername, tls } = sentinel;
  return { kind: "sentinel", sentinels, name, passwordEnv, sentinelPasswordEnv, username, sentinelUsername, ...(tls ? { tls } : {}) };
}

/** Called by `up`: records the sentinel target for the home's other processes, or removes a stale record. */
export function recordRedisTarget(paths: HomePaths, config: RedisConfig | undefined): void {
  const file = redisTargetFile(paths);
  if (!config?.sentinel) {
    rmSync(file, { force: true });
    return;
  }
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(storedTarget(config.sentinel), null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

function readStoredTarget(paths: HomePaths): StoredSentinelTarget | null {
  const file = redisTargetFile(paths);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!isStoredTarget(parsed)) {
    throw new EnvironmentError(`${file} does not name a Redis Sentinel group`, {
      hint: "It is written by `claude-agent up` from swarm.yaml's `redis:`; run `up` again, or delete the file to use the embedded Redis.",
      context: { file },
    });
  }
  return parsed;
}

function isStoredTarget(value: unknown): value is StoredSentinelTarget {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const optionalName = (x: unknown): boolean => x === null || typeof x === "string";
  return (
    v.kind === "sentinel" &&
    typeof v.name === "string" &&
    Array.isArray(v.sentinels) &&
    v.sentinels.length > 0 &&
    v.sentinels.every((s) => typeof s === "object" && s !== null && typeof s.host === "string" && Number.isInteger(s.port)) &&
    optionalName(v.passwordEnv) &&
    optionalName(v.sentinelPasswordEnv) &&
    (v.username === undefined || optionalName(v.username)) &&
    (v.sentinelUsername === undefined || optionalName(v.sentinelUsername)) &&
    (v.tls === undefined || isStoredTls(v.tls))
  );
}

function isStoredTls(value: unknown): value is SentinelTlsConfig {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (["ca", "cert", "key", "servername"] as const).every((key) => v[key] === null || typeof v[key] === "string");
}

/**
 * Reads `redis.tls`'s files. Read by every process at connect time (the record keeps only their paths), so that a
 * renewed certificate is picked up by the next command. A file that cannot be read is swarm.yaml's mistake at `up`
 * (exit 2), the environment's afterwards (exit 4).
 */
function readTls(config: SentinelTlsConfig, group: string, source: "config" | "record"): SentinelTls {
  const read = (key: "ca" | "cert" | "key"): string | undefined => {
    const file = config[key];
    if (file === null) return undefined;
    try {
      return readFileSync(file, "utf8");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      const problem = `redis.tls.${key}: cannot read ${file} (${reason})`;
      const hint =
        "The TLS files of `redis.tls` must be readable by every claude-agent process of this swarm (relative paths are resolved against swarm.yaml's folder).";
      throw source === "config"
        ? new ConfigError([problem], { hint })
        : new EnvironmentError(`${problem}, for the Redis Sentinel group "${group}"`, { hint, context: { file } });
    }
  };
  const ca = read("ca");
  const cert = read("cert");
  const key = read("key");
  return {
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(config.servername !== null ? { servername: config.servername } : {}),
  };
}

function resolveSentinelTarget(stored: StoredSentinelTarget, env: NodeJS.ProcessEnv, source: "config" | "record"): SentinelTarget {
  const secret = (variable: string | null, what: string): string | undefined => {
    if (variable === null) return undefined;
    const value = env[variable];
    if (value === undefined || value === "") {
      throw new EnvironmentError(`${what} of the Redis Sentinel group "${stored.name}" is to come from $${variable}, which is not set`, {
        hint: `Set ${variable} in the environment of every claude-agent process of this swarm (as REDIS_URL would be), or drop the setting from swarm.yaml's \`redis:\`.`,
        context: { variable },
      });
    }
    return value;
  };
  const password = secret(stored.passwordEnv, "the password");
  const sentinelPassword = secret(stored.sentinelPasswordEnv, "the sentinels' password");
  const tls = stored.tls ? readTls(stored.tls, stored.name, source) : undefined;
  return {
    kind: "sentinel",
    sentinels: stored.sentinels.map(({ host, port }) => ({ host, port })),
    name: stored.name,
    ...(stored.username ? { username: stored.username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(stored.sentinelUsername ? { sentinelUsername: stored.sentinelUsername } : {}),
    ...(sentinelPassword !== undefined ? { sentinelPassword } : {}),
    ...(tls ? { tls } : {}),
  };
}

/** For messages: the socket path, the URL without its password, or the sentinel group and its sentinels. */
export function describeTarget(target: RedisTarget): string {
  if (target.kind === "embedded") return target.socket;
  if (target.kind === "sentinel") return `sentinel group "${target.name}" via ${target.sentinels.map(formatAddress).join(",")}${target.tls ? " (TLS)" : ""}`;
  try {
    const parsed = new URL(target.url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return target.url;
  }
}

export function formatAddress({ host, port }: SentinelAddress): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

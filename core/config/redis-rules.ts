/**
 * `redis:` in swarm.yaml: reach Redis through Redis Sentinel (`sentinels` + `name`), and/or make
 * acceptance wait for replicas (`acknowledge`). Without it the swarm uses REDIS_URL or its embedded
 * Redis, as before. Passwords are never written in the file: swarm.yaml is copied into Redis for
 * every client to read, so only the names of the variables that hold them are (`password_env`).
 */
import { isAbsolute, resolve } from "node:path";
import { expectedMessage } from "./schema.js";
import type { RedisConfig, SentinelAddress, SentinelTlsConfig } from "./types.js";

const KEYS = ["sentinels", "name", "username", "password_env", "sentinel_username", "sentinel_password_env", "tls", "acknowledge"] as const;
/** `redis.tls`'s file keys, named as api.tls names its own (`cert`, `key`), plus the CA. */
const TLS_FILE_KEYS = ["ca", "cert", "key"] as const;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** An ACL user name as AUTH sends it: Redis allows more, but a name with spaces or quotes is a typo in a config file. */
const ACL_USER = /^[A-Za-z0-9._@-]{1,128}$/;
/** Sentinel's own limit on a master group's name is loose; these are the characters a config line takes without quoting. */
const GROUP_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const ADDRESS = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;
/** WAIT's timeout, in ms: long enough for a replica across a WAN, short enough that a submit never seems to hang. */
const MAX_ACK_TIMEOUT_MS = 60_000;
/** A replica count beyond this is a typo: Redis setups have a handful of replicas. */
const MAX_ACK_REPLICAS = 16;

/** `host:port` (`[::1]:26379` for IPv6) with a port from 1 to 65535, or null. */
export function parseSentinelAddress(value: unknown): SentinelAddress | null {
  if (typeof value !== "string") return null;
  const match = ADDRESS.exec(value.trim());
  if (!match) return null;
  const port = Number(match[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return null;
  return { host: match[1] ?? match[2]!, port };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Every problem of `redis:`, each prefixed with its path (empty when absent or valid). */
export function redisProblems(raw: unknown): string[] {
  if (raw === undefined) return [];
  if (!isRecord(raw)) return [`redis: ${expectedMessage("a mapping with `sentinels` and `name` (and `tls`), and/or `acknowledge`", raw)}`];
  const problems: string[] = [];
  for (const key of Object.keys(raw)) {
    if (key === "password" || key === "sentinel_password") {
      problems.push(
        `redis.${key}: passwords are not written in swarm.yaml (it is stored in Redis for every client to read); put it in an environment variable and name that: \`${key}_env: VARIABLE\``,
      );
    } else if (key === "url") {
      problems.push("redis.url: the URL of a single Redis is REDIS_URL in the environment, not swarm.yaml; `redis:` names `sentinels` and `name`");
    } else if (!(KEYS as readonly string[]).includes(key)) problems.push(`redis.${key}: unknown key`);
  }
  const { sentinels, name } = raw;
  if (sentinels !== undefined) {
    if (!Array.isArray(sentinels) || sentinels.length === 0) {
      problems.push(`redis.sentinels: ${expectedMessage('a list of sentinel addresses such as "10.0.0.5:26379"', sentinels)}`);
    } else {
      sentinels.forEach((entry, index) => {
        if (parseSentinelAddress(entry) === null) problems.push(`redis.sentinels.${index}: ${expectedMessage('host:port such as "10.0.0.5:26379"', entry)}`);
      });
    }
    if (name === undefined)
      problems.push('redis.name: required with `sentinels`: the master group\'s name the sentinels monitor (`sentinel monitor NAME …`, often "mymaster")');
  }
  if (name !== undefined) {
    if (typeof name !== "string" || !GROUP_NAME.test(name))
      problems.push(`redis.name: ${expectedMessage("a master group name of letters, digits, `.`, `_` and `-`", name)}`);
    if (sentinels === undefined) problems.push("redis.sentinels: required with `name`: the sentinels to ask where that group's primary is");
  }
  for (const key of ["password_env", "sentinel_password_env"] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== "string" || !ENV_NAME.test(value))
      problems.push(`redis.${key}: ${expectedMessage("a variable name of letters, digits and underscores", value)}`);
    else if (sentinels === undefined) problems.push(`redis.${key}: only used with \`sentinels\` (a single Redis takes its password in REDIS_URL)`);
  }
  for (const key of ["username", "sentinel_username"] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== "string" || !ACL_USER.test(value))
      problems.push(`redis.${key}: ${expectedMessage("an ACL user name of letters, digits, `.`, `_`, `@` and `-`", value)}`);
    else if (sentinels === undefined)
      problems.push(`redis.${key}: only used with \`sentinels\` (a single Redis takes its user in REDIS_URL: redis://USER:PASSWORD@host:port)`);
  }
  if (typeof raw.username === "string" && raw.password_env === undefined)
    problems.push("redis.username: needs `password_env`, the variable holding that user's password");
  if (typeof raw.sentinel_username === "string" && raw.sentinel_password_env === undefined)
    problems.push("redis.sentinel_username: needs `sentinel_password_env`, the variable holding that user's password");
  problems.push(...tlsProblems(raw.tls, sentinels !== undefined));
  problems.push(...acknowledgeProblems(raw.acknowledge));
  return problems;
}

function tlsProblems(raw: unknown, withSentinels: boolean): string[] {
  if (raw === undefined || raw === false) return [];
  const what = "true, or a mapping with `ca`, `cert`, `key` (file paths) and/or `servername`";
  if (raw !== true && !isRecord(raw)) return [`redis.tls: ${expectedMessage(what, raw)}`];
  if (!withSentinels) {
    return [
      "redis.tls: only used with `sentinels` (a single Redis is reached over TLS with a rediss:// REDIS_URL; NODE_EXTRA_CA_CERTS=ca.pem for a private CA)",
    ];
  }
  if (raw === true) return [];
  const problems = Object.keys(raw)
    .filter((key) => !(TLS_FILE_KEYS as readonly string[]).includes(key) && key !== "servername")
    .map((key) =>
      key === "ca_file" || key === "cert_file" || key === "key_file"
        ? `redis.tls.${key}: unknown key; the file keys are \`ca\`, \`cert\` and \`key\` (as in api.tls)`
        : `redis.tls.${key}: unknown key`,
    );
  for (const key of [...TLS_FILE_KEYS, "servername"] as const) {
    const value = raw[key];
    if (value !== undefined && (typeof value !== "string" || value.trim() === "")) {
      problems.push(`redis.tls.${key}: ${expectedMessage(key === "servername" ? "a host name" : "a file path", value)}`);
    }
  }
  if ((raw.cert === undefined) !== (raw.key === undefined)) {
    problems.push("redis.tls: `cert` and `key` go together (a client certificate and its private key)");
  }
  return problems;
}

function acknowledgeProblems(raw: unknown): string[] {
  if (raw === undefined) return [];
  const what = "a mapping with `replicas` and `timeout_ms`";
  if (!isRecord(raw)) return [`redis.acknowledge: ${expectedMessage(what, raw)}`];
  const problems = Object.keys(raw)
    .filter((key) => key !== "replicas" && key !== "timeout_ms")
    .map((key) => `redis.acknowledge.${key}: unknown key`);
  const { replicas, timeout_ms: timeoutMs } = raw;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 1 || replicas > MAX_ACK_REPLICAS) {
    problems.push(`redis.acknowledge.replicas: ${expectedMessage(`a whole number of replicas from 1 to ${MAX_ACK_REPLICAS}`, replicas)}`);
  }
  if (typeof timeoutMs !== "number" || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_ACK_TIMEOUT_MS) {
    problems.push(`redis.acknowledge.timeout_ms: ${expectedMessage(`a whole number of milliseconds from 1 to ${MAX_ACK_TIMEOUT_MS}`, timeoutMs)}`);
  }
  return problems;
}

/** `redis.tls` with its files resolved against swarm.yaml's folder; undefined when TLS is off. */
function normalizeTls(raw: unknown, baseDir: string): SentinelTlsConfig | undefined {
  if (raw !== true && !isRecord(raw)) return undefined;
  const fields = isRecord(raw) ? raw : {};
  const file = (key: (typeof TLS_FILE_KEYS)[number]): string | null => {
    const value = fields[key];
    return typeof value === "string" ? (isAbsolute(value) ? value : resolve(baseDir, value)) : null;
  };
  return Object.freeze({ ca: file("ca"), cert: file("cert"), key: file("key"), servername: typeof fields.servername === "string" ? fields.servername : null });
}

/** The validated `redis:` (call only when redisProblems found none); relative TLS file paths are resolved against `baseDir`. */
export function normalizeRedis(raw: Record<string, unknown>, baseDir: string): RedisConfig {
  const tls = normalizeTls(raw.tls, baseDir);
  const sentinels = Array.isArray(raw.sentinels) ? raw.sentinels.map((entry) => parseSentinelAddress(entry)!) : null;
  const acknowledge = isRecord(raw.acknowledge) ? { replicas: raw.acknowledge.replicas as number, timeoutMs: raw.acknowledge.timeout_ms as number } : null;
  return Object.freeze({
    ...(sentinels
      ? {
          sentinel: Object.freeze({
            sentinels: Object.freeze(sentinels.map((address) => Object.freeze(address))),
            name: raw.name as string,
            passwordEnv: typeof raw.password_env === "string" ? raw.password_env : null,
            sentinelPasswordEnv: typeof raw.sentinel_password_env === "string" ? raw.sentinel_password_env : null,
            username: typeof raw.username === "string" ? raw.username : null,
            sentinelUsername: typeof raw.sentinel_username === "string" ? raw.sentinel_username : null,
            ...(tls ? { tls } : {}),
          }),
        }
      : {}),
    ...(acknowledge ? { acknowledge: Object.freeze(acknowledge) } : {}),
  });
}

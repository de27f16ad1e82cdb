import { statSync } from "node:fs";
import type { Redis } from "ioredis";
import {
  ALLOW_WITHOUT_AUTH,
  ALLOW_WITHOUT_TLS,
  connectOrFail,
  homePaths,
  homePrefix,
  keys,
  LEGACY_PREFIX,
  loadConfig,
  startPrefix,
  readHomeMarker,
  redisExposure,
  redisRisks,
  redisTarget,
  type RedisExposure,
} from "../core/index.js";
import type { Check } from "./doctor-checks.js";

/**
 * What `doctor` says about who can reach the swarm's Redis: how it is reached
 * (the home's socket, loopback TCP, TLS, plain TCP across the network), whether
 * a client without credentials gets in, which user we authenticate as, and
 * whose the swarm's key prefix is. A failing check is what `up` would refuse.
 */
export async function redisSecurityChecks(home: string, env: NodeJS.ProcessEnv): Promise<Check[]> {
  const paths = homePaths(home);
  const target = redisTarget(paths, env);
  const k = keys(prefixToCheck(home));
  let redis: Redis;
  try {
    redis = await connectOrFail(target, 1000);
  } catch {
    return []; // checkRedis already says that nothing answers
  }
  try {
    const exposure = target.kind === "embedded" ? null : await redisExposure(target, k.config);
    return [...(exposure ? accessChecks(exposure) : [embeddedCheck(paths.redisSocket)]), await prefixCheck(redis, home, k)];
  } finally {
    redis.disconnect();
  }
}

/**
 * The prefix `up` would use here: swarm.yaml's `swarm:` (found as `up` finds it) or the home's default;
 * for a folder that is not a home yet, or a swarm.yaml that does not load, the one its clients use.
 */
function prefixToCheck(home: string): string {
  const marker = readHomeMarker(home);
  if (!marker?.id) return homePrefix(home);
  try {
    return startPrefix(home, marker, loadConfig({ cwd: process.cwd(), home }).swarm);
  } catch {
    return homePrefix(home);
  }
}

function embeddedCheck(socket: string): Check {
  let mode = "";
  try {
    mode = ` (socket mode ${(statSync(socket).mode & 0o777).toString(8)})`;
  } catch {
    // gone between the PING and now
  }
  return { name: "redis access", ok: true, detail: `embedded Redis on the home's unix socket${mode}: only this user reaches it` };
}

function accessChecks(exposure: RedisExposure): Check[] {
  const risks = redisRisks(exposure);
  const how =
    exposure.transport === "tls"
      ? exposure.sentinels
        ? "TLS (redis.tls)"
        : "TLS (rediss://)"
      : exposure.transport === "unix"
        ? "a unix socket"
        : exposure.loopback
          ? "TCP on this machine"
          : "TCP across the network";
  const who = exposure.user ? `ACL user "${exposure.user}"` : exposure.password ? "a password (the default user)" : "no credentials";
  const auth: Check = risks.auth
    ? {
        name: "redis auth",
        ok: false,
        detail: `${risks.auth}; this swarm connects with ${who}`,
        fix: `set a password (requirepass, or an ACL user with the default user off) and put it in REDIS_URL; \`up\` refuses this server unless given ${ALLOW_WITHOUT_AUTH}`,
      }
    : {
        name: "redis auth",
        ok: true,
        detail: `clients without credentials are refused (${exposure.anonymousReply.split(" ")[0] ?? ""}); this swarm connects with ${who}`,
      };
  const tls: Check = risks.tls
    ? {
        name: "redis transport",
        ok: false,
        detail: risks.tls,
        fix: exposure.sentinels
          ? `turn on TLS in the sentinels and data nodes and set redis.tls in swarm.yaml; \`up\` refuses it unless given ${ALLOW_WITHOUT_TLS}`
          : `use rediss:// (tls-port on the server; NODE_EXTRA_CA_CERTS for a private CA); \`up\` refuses it unless given ${ALLOW_WITHOUT_TLS}`,
      }
    : { name: "redis transport", ok: true, detail: `${how} at ${exposure.where}` };
  return exposure.sentinels ? [tls, auth, sentinelAuthCheck(exposure, risks)] : [tls, auth];
}

/** The sentinels' own password: refused by `up` when swarm.yaml names one they do not ask for; said when there is none. */
function sentinelAuthCheck(exposure: RedisExposure, risks: ReturnType<typeof redisRisks>): Check {
  const name = "redis sentinel auth";
  if (risks.sentinelAuth) {
    return {
      name,
      ok: false,
      detail: risks.sentinelAuth,
      fix: `set \`requirepass\` in every sentinel to the password in redis.sentinel_password_env's variable; \`up\` refuses them unless given ${ALLOW_WITHOUT_AUTH}`,
    };
  }
  if (risks.sentinelNotice) return { name, ok: true, detail: risks.sentinelNotice };
  const replies = [...new Set(exposure.sentinels?.probes.map((probe) => probe.reply.split(" ")[0] ?? "") ?? [])].join(", ");
  return exposure.sentinels?.passwordSet
    ? { name, ok: true, detail: `every sentinel refuses clients without the password (${replies})` }
    : { name, ok: true, detail: `no sentinel password is configured, and no sentinel showed that it takes commands from anyone (${replies || "no answer"})` };
}

interface StoredOwner {
  readonly id?: string;
  readonly home?: string;
  readonly host?: string;
  readonly pid?: number;
}

async function prefixCheck(redis: Redis, home: string, k: ReturnType<typeof keys>): Promise<Check> {
  const name = "redis key prefix";
  const marker = readHomeMarker(home);
  let owner: StoredOwner | null = null;
  try {
    const raw = await redis.get(k.owner);
    owner = raw ? (JSON.parse(raw) as StoredOwner) : null;
  } catch (error) {
    return { name, ok: true, detail: `${k.prefix}: cannot read its owner (${(error as Error).message})` };
  }
  const legacy = k.prefix === LEGACY_PREFIX ? " (the prefix of homes made before swarms had names)" : "";
  if (!owner) return { name, ok: true, detail: `${k.prefix}${legacy}: no live swarm holds it` };
  if (marker?.id && owner.id === marker.id) return { name, ok: true, detail: `${k.prefix}${legacy}: held by this home's daemon (pid ${owner.pid ?? "?"})` };
  return {
    name,
    ok: false,
    detail: `${k.prefix}${legacy} is held by another swarm: home ${owner.home ?? "?"} on host ${owner.host ?? "?"} (pid ${owner.pid ?? "?"})`,
    fix: "give this swarm a name of its own: `swarm: NAME` in its swarm.yaml",
  };
}

import { EnvironmentError } from "../errors.js";
import type { RedisExposure } from "./exposure.js";

/** The flags of `up` that accept an exposed Redis anyway; long and plain on purpose. */
export const ALLOW_WITHOUT_AUTH = "--unsafe-allow-redis-without-auth";
export const ALLOW_WITHOUT_TLS = "--unsafe-allow-redis-without-tls";

export interface RedisOptOuts {
  /** Accept a TCP Redis that lets clients in without credentials. */
  readonly allowWithoutAuth?: boolean;
  /** Accept a Redis beyond this machine reached without TLS. */
  readonly allowWithoutTls?: boolean;
}

export interface RedisRisks {
  /** Why anyone who reaches the server can use it; null when it requires authentication (or is our socket). */
  readonly auth: string | null;
  /** Why its traffic can be read on the way; null for TLS, loopback and sockets. */
  readonly tls: string | null;
  /**
   * A Sentinel group whose swarm.yaml names `sentinel_password_env`: the sentinels that did not refuse a client
   * without it (refused like `auth`); null when each refused, and for a single Redis.
   */
  readonly sentinelAuth: string | null;
  /** The sentinels take commands from anyone and swarm.yaml names no password for them: said at every start, not refused. */
  readonly sentinelNotice: string | null;
}

export function redisRisks(exposure: RedisExposure): RedisRisks {
  const { where, transport, anonymous, anonymousReply } = exposure;
  let auth: string | null = null;
  // A unix socket only group or others may not open is this user's alone, like the embedded Redis' socket.
  const shared = transport !== "unix" || exposure.socketMode === null || (exposure.socketMode & 0o066) !== 0;
  if (shared && anonymous !== "refused" && anonymous !== "not-probed") {
    const whose = transport === "unix" ? `its socket has mode ${exposure.socketMode?.toString(8) ?? "?"}, so ` : "";
    auth =
      anonymous === "open"
        ? `Redis at ${where} lets clients in without a password (a command sent with no credentials got ${JSON.stringify(anonymousReply)}): ${whose}any local user could read every task and run commands as this swarm's user`
        : `Redis at ${where} did not show that it requires a password (a command sent with no credentials got ${JSON.stringify(anonymousReply || "no answer")})`;
  }
  const tls =
    transport === "tcp" && !exposure.loopback
      ? `Redis at ${where} is not on this machine and is reached without TLS: its password and every task cross the network in clear text`
      : null;
  let sentinelAuth: string | null = null;
  let sentinelNotice: string | null = null;
  const sentinels = exposure.sentinels;
  if (sentinels) {
    const notRefusing = sentinels.probes.filter((probe) => probe.anonymous !== "refused");
    const list = notRefusing.map((probe) => `${probe.where} (got ${JSON.stringify(probe.reply || "no answer")})`).join(", ");
    if (sentinels.passwordSet && notRefusing.length > 0) {
      sentinelAuth = notRefusing.every((probe) => probe.anonymous === "open")
        ? `sentinel ${list} takes commands without a password, although swarm.yaml names redis.sentinel_password_env: whoever reaches it can make it name another server as the primary, and the swarm would send its password and tasks there`
        : `sentinel ${list} did not show that it requires the password redis.sentinel_password_env names`;
    } else if (!sentinels.passwordSet) {
      const open = sentinels.probes.filter((probe) => probe.anonymous === "open").map((probe) => probe.where);
      if (open.length > 0) {
        sentinelNotice = `the sentinels ${open.join(", ")} take commands without a password (swarm.yaml names no redis.sentinel_password_env): whoever reaches them can make them name another server as the primary`;
      }
    }
  }
  return { auth, tls, sentinelAuth, sentinelNotice };
}

/**
 * Refuses an exposed Redis unless the user opted out of that very risk;
 * returns a warning for each risk accepted that way (printed at every start).
 */
export function enforceRedisSafety(exposure: RedisExposure, optOuts: RedisOptOuts = {}): string[] {
  const risks = redisRisks(exposure);
  const warnings: string[] = [];
  if (risks.auth) {
    if (!optOuts.allowWithoutAuth) {
      throw new EnvironmentError(`refusing to use an unauthenticated Redis: ${risks.auth}`, {
        hint:
          "Give it a password (requirepass, or an ACL user: ACL SETUSER swarm on >PASSWORD ~* &* +@all, and turn off the default user) and put it in REDIS_URL " +
          `(redis://swarm:PASSWORD@host:6379), or unset REDIS_URL to use the embedded Redis. To accept the risk anyway: claude-agent up ${ALLOW_WITHOUT_AUTH}`,
        context: { redis: exposure.where },
      });
    }
    warnings.push(`WARNING (${ALLOW_WITHOUT_AUTH}): ${risks.auth}`);
  }
  if (risks.sentinelAuth) {
    if (!optOuts.allowWithoutAuth) {
      throw new EnvironmentError(`refusing to use a Sentinel group whose sentinels do not require their password: ${risks.sentinelAuth}`, {
        hint:
          "Set the password in every sentinel (`requirepass PASSWORD` in its sentinel.conf, or SENTINEL CONFIG SET requirepass) and in the variable redis.sentinel_password_env names. " +
          `To accept the risk anyway: claude-agent up ${ALLOW_WITHOUT_AUTH}`,
        context: { redis: exposure.where },
      });
    }
    warnings.push(`WARNING (${ALLOW_WITHOUT_AUTH}): ${risks.sentinelAuth}`);
  }
  if (risks.sentinelNotice)
    warnings.push(`NOTE: ${risks.sentinelNotice}; set \`requirepass\` in each sentinel and name its variable in redis.sentinel_password_env`);
  if (risks.tls) {
    if (!optOuts.allowWithoutTls) {
      const useTls = exposure.sentinels
        ? "Turn on TLS in the sentinels and the data nodes (tls-port, tls-replication yes) and set `redis.tls` in swarm.yaml (`tls: true`, or `tls: { ca: ca.pem }` for a private CA)"
        : "Use rediss:// (Redis' tls-port; NODE_EXTRA_CA_CERTS=ca.pem for a private CA)";
      throw new EnvironmentError(`refusing to use Redis over the network without TLS: ${risks.tls}`, {
        hint: `${useTls}, or a Redis on this machine. To accept the risk anyway: claude-agent up ${ALLOW_WITHOUT_TLS}`,
        context: { redis: exposure.where },
      });
    }
    warnings.push(`WARNING (${ALLOW_WITHOUT_TLS}): ${risks.tls}`);
  }
  return warnings;
}

import type { HomePaths } from "../home.js";

/** Where the swarm's Redis lives: the private server under the home, or an existing one named by REDIS_URL. */
export type RedisTarget = { readonly kind: "embedded"; readonly socket: string } | { readonly kind: "url"; readonly url: string };

export function redisTarget(paths: HomePaths, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  const url = env.REDIS_URL?.trim();
  return url ? { kind: "url", url } : { kind: "embedded", socket: paths.redisSocket };
}

/** For messages: the socket path or the URL without its password. */
export function describeTarget(target: RedisTarget): string {
  if (target.kind === "embedded") return target.socket;
  try {
    const parsed = new URL(target.url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return target.url;
  }
}

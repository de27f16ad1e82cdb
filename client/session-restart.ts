import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { pushSessionRequest, type EventStream, type Keys, type Origin, type SessionRequest } from "../core/index.js";

export interface RestartOptions {
  /** Why, for the bridge's log and its `agent.down` event; default "restart requested". */
  readonly reason?: string;
  /** Who asks; default the client's origin. */
  readonly origin?: Origin;
  /** How long to wait for the bridge to end the session; 0 returns once the request is queued. Default 10 s. */
  readonly waitMs?: number;
}

interface RequestTarget {
  readonly origin: Origin;
  /** The host the session is placed on (null: a swarm without `hosts:`). */
  readonly host: string | null;
}

export interface RestartOutcome {
  readonly request: SessionRequest;
  /** True once the bridge has ended the session (its `agent.down` event); it then starts it again by itself. */
  readonly ended: boolean;
}

const POLL_MS = 100;
const BATCH = 500;

/**
 * Queues a restart request for the bridge (core/session-requests.ts) and
 * watches the event stream for the bridge's `agent.down` of that session:
 * only the bridge drives sessions, a client never kills one itself.
 */
export async function requestRestart(
  redis: Redis,
  keys: Keys,
  events: EventStream,
  session: string,
  options: RestartOptions & RequestTarget,
): Promise<RestartOutcome> {
  let cursor = await events.lastId();
  const reason = (options.reason ?? "restart requested").slice(0, 200);
  const request = await pushSessionRequest(redis, keys, { session, reason, actor: options.origin.actor.slice(0, 200), via: options.origin.via }, options.host);
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  while (Date.now() < deadline) {
    const news = await events.after(cursor, BATCH);
    for (const event of news) {
      if (event.type === "agent.down" && event.session === session) return { request, ended: true };
      cursor = event.id;
    }
    if (news.length < BATCH) await sleep(POLL_MS);
  }
  return { request, ended: false };
}

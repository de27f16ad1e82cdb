import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";

/**
 * A request for the bridge about one of its sessions, written by a client
 * (TUI, CLI, API) onto `<prefix>:session-requests` and carried out by the
 * bridge, which alone drives the sessions. This module is the one place that
 * knows the list's shape: the writer and the reader both go through it.
 */
export interface SessionRequest {
  /**
   * `restart`: end the session so that it starts again. `hold`: dispatch
   * nothing new to it until `until` (a person has taken its terminal over;
   * the taker sends a hold again well before it lapses, so a taker that
   * vanished releases the session by itself). `release`: the person handed it back.
   */
  readonly kind: "restart" | "hold" | "release";
  readonly session: string;
  /** Why, for the logs and the `agent.down` event. */
  readonly reason: string;
  /** Who asked, and through what (the audit log's actor and interface). */
  readonly actor: string;
  readonly via: string;
  readonly requestedAt: string;
  /** `hold`: until when (ISO 8601). */
  readonly until?: string;
}

const KINDS: readonly SessionRequest["kind"][] = ["restart", "hold", "release"];
/** A hold lasts at most this long past its request: a taker renews it, a vanished one lets it lapse. */
export const MAX_HOLD_MS = 120_000;

/** Requests nobody carried out (no bridge running) are kept up to this many; older ones are dropped first. */
const MAX_PENDING = 1000;
/** Session names are `<agent>-<replica>`; agent names are lowercase letters, digits and hyphens. */
const SESSION_NAME = /^[a-z0-9][a-z0-9-]{0,99}$/;
const MAX_TEXT = 200;

/**
 * Queues a request for the bridge that has the session: the one of `host` in a swarm with `hosts:`
 * (each host's bridge reads its own list; a shared list let whichever bridge popped first refuse it), else
 * the swarm's only bridge.
 */
export async function pushSessionRequest(
  redis: Redis,
  keys: Keys,
  request: Omit<SessionRequest, "kind" | "requestedAt"> & { readonly kind?: SessionRequest["kind"] },
  host: string | null = null,
): Promise<SessionRequest> {
  const full: SessionRequest = { kind: "restart", ...request, requestedAt: new Date().toISOString() };
  const problem = checkRequest(full);
  if (problem) throw new TypeError(`session request: ${problem}`);
  const key = sessionRequestList(keys, host);
  await redis.multi().rpush(key, JSON.stringify(full)).ltrim(key, -MAX_PENDING, -1).exec();
  return full;
}

/** The list the bridge of `host` (null: a swarm without `hosts:`) takes its requests from. */
export function sessionRequestList(keys: Pick<Keys, "sessionRequests" | "sessionRequestsOf">, host: string | null): string {
  return host === null ? keys.sessionRequests : keys.sessionRequestsOf(host);
}

/**
 * A request as read back from Redis, or why it is not one. Anyone who can
 * write to Redis can push onto the list: the text is checked, never trusted.
 */
export function parseSessionRequest(text: string): SessionRequest | { readonly problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { problem: "not JSON" };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { problem: "not an object" };
  const { kind, session, reason, actor, via, requestedAt, until } = raw as Record<string, unknown>;
  const request = { kind, session, reason, actor, via, requestedAt, ...(until === undefined ? {} : { until }) } as SessionRequest;
  const problem = checkRequest(request);
  return problem ? { problem } : request;
}

function checkRequest(request: SessionRequest): string | null {
  if (!KINDS.includes(request.kind)) return `unknown kind ${JSON.stringify(String(request.kind)).slice(0, 40)}`;
  if (typeof request.session !== "string" || !SESSION_NAME.test(request.session)) return "session: not a session name";
  for (const field of ["reason", "actor", "via", "requestedAt"] as const) {
    const value = request[field];
    if (typeof value !== "string" || value.length > MAX_TEXT) return `${field}: expected text of at most ${MAX_TEXT} characters`;
  }
  if (request.kind === "hold") {
    const until = typeof request.until === "string" ? Date.parse(request.until) : Number.NaN;
    if (!Number.isFinite(until)) return "until: a hold needs an ISO 8601 time";
    if (until - Date.parse(request.requestedAt) > MAX_HOLD_MS) return `until: a hold lasts at most ${MAX_HOLD_MS / 1000} s past its request`;
  } else if (request.until !== undefined) return "until: only a hold has one";
  return null;
}

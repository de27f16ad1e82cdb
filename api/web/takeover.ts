/**
 * Taking an agent's terminal over from the browser: at most one person per
 * session types at a time. While they do, the session's bridge gives it no
 * new task (a `hold` session request, renewed every 20 s for 60 s, so that a
 * daemon that died mid-take-over frees the session within a minute), and
 * every viewer of the session is told who is typing; closing the writable
 * terminal hands the session back (a `release`). Each take-over and hand-back
 * is an audit event.
 */
import type { WebSocket } from "@fastify/websocket";
import type { Redis } from "ioredis";
import { pushSessionRequest, type Keys, type LogFn } from "../../core/index.js";

const RENEW_MS = 20_000;
const HOLD_MS = 60_000;

interface Writer {
  readonly actor: string;
  readonly since: string;
  readonly timer: NodeJS.Timeout;
}

export interface TakeOverDeps {
  readonly redis: Redis;
  readonly keys: Keys;
  /** The host whose bridge runs the session (null: a swarm without `hosts:`). */
  readonly hostOf: (session: string) => string | null;
  readonly audit: (fields: Record<string, string>) => void;
  readonly log: LogFn;
}

export class TakeOvers {
  private readonly writers = new Map<string, Writer>();
  private readonly viewers = new Map<string, Set<WebSocket>>();

  constructor(private readonly deps: TakeOverDeps) {}

  /** Who is typing in `session` now, if anyone. */
  writer(session: string): { actor: string; since: string } | null {
    const writer = this.writers.get(session);
    return writer ? { actor: writer.actor, since: writer.since } : null;
  }

  /** Tells `socket` (a viewer of `session`) about take-overs until it closes, starting with the one under way. */
  watch(session: string, socket: WebSocket): void {
    let set = this.viewers.get(session);
    if (!set) this.viewers.set(session, (set = new Set()));
    set.add(socket);
    socket.on("close", () => set.delete(socket));
    const writer = this.writer(session);
    if (writer) send(socket, { type: "takeover", session, by: writer.actor, since: writer.since });
  }

  /** Makes `actor` the one typing in `session`; false when someone else already is. */
  async begin(session: string, actor: string): Promise<boolean> {
    if (this.writers.has(session)) return false;
    const since = new Date().toISOString();
    const timer = setInterval(() => void this.hold(session, actor), RENEW_MS);
    timer.unref();
    this.writers.set(session, { actor, since, timer });
    await this.hold(session, actor);
    this.deps.audit({ actor, action: "sessionTakeOver", target: session });
    this.broadcast(session, { type: "takeover", session, by: actor, since });
    return true;
  }

  /** Hands `session` back (the writable terminal closed). Idempotent. */
  async end(session: string): Promise<void> {
    const writer = this.writers.get(session);
    if (!writer) return;
    clearInterval(writer.timer);
    this.writers.delete(session);
    this.broadcast(session, { type: "handback", session, by: writer.actor });
    this.deps.audit({ actor: writer.actor, action: "sessionHandBack", target: session });
    await this.request(session, writer.actor, "release", "handed back");
  }

  /** Hands every session back (the API closes). */
  async close(): Promise<void> {
    await Promise.all([...this.writers.keys()].map((session) => this.end(session)));
  }

  private hold(session: string, actor: string): Promise<void> {
    return this.request(session, actor, "hold", "a person took its terminal over", new Date(Date.now() + HOLD_MS).toISOString());
  }

  private async request(session: string, actor: string, kind: "hold" | "release", reason: string, until?: string): Promise<void> {
    try {
      await pushSessionRequest(
        this.deps.redis,
        this.deps.keys,
        { kind, session, reason, actor, via: "web", ...(until ? { until } : {}) },
        this.deps.hostOf(session),
      );
    } catch (error) {
      this.deps.log("takeover.request-failed", { session, kind, error });
    }
  }

  private broadcast(session: string, message: Record<string, string>): void {
    for (const socket of this.viewers.get(session) ?? []) send(socket, message);
  }
}

function send(socket: WebSocket, message: Record<string, string>): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

import type { Redis } from "ioredis";
import { parseSessionRequest, sessionRequestList, type Keys, type LogFn } from "../core/index.js";

export interface SessionRequestsOptions {
  /** Makes the connection the blocking reads hold (closed by close()). */
  readonly connect: (name: string) => Redis;
  readonly keys: Keys;
  /** This bridge's host in a swarm with `hosts:` (it reads that host's list), else null. */
  readonly host: string | null;
  /** Ends the named session so that it starts again; rejects for a session this bridge does not have. */
  readonly restart: (sessionName: string, reason: string) => Promise<void>;
  /** Gives the session no new task until `untilMs` (a person took its terminal over); false for a session this bridge does not have. */
  readonly hold: (sessionName: string, untilMs: number, actor: string) => boolean;
  /** Ends a hold: the person handed the session back. */
  readonly handBack: (sessionName: string) => void | Promise<void>;
  readonly log: LogFn;
  /** How long one blocking read waits before it looks again (seconds; BLPOP's timeout). */
  readonly blockSec?: number;
}

/** After a failed read (Redis down), wait this long before the next. */
const RETRY_MS = 1000;

/**
 * Carries out what clients ask of the bridge's sessions (a restart, from the
 * TUI or `claude-agent restart`): it takes requests off
 * `<prefix>:session-requests` one at a time, in order, each exactly once. The
 * list's text is checked by core/session-requests.ts before it is acted on,
 * and a session is only ever found by name among the bridge's own: no text
 * from Redis becomes part of a tmux command.
 */
export class SessionRequests {
  private readonly connection: Redis;
  private loop: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: SessionRequestsOptions) {
    this.connection = options.connect("bridge:session-requests");
    // Without a listener ioredis prints "Unhandled error event" on every reconnect attempt while Redis is down.
    this.connection.on("error", (error: Error) => options.log("session-requests.error", { error }));
  }

  start(): void {
    if (this.closed || this.loop) return;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const key = sessionRequestList(this.options.keys, this.options.host);
    while (!this.closed) {
      let text: string | null;
      try {
        const popped = await this.connection.blpop(key, this.options.blockSec ?? 5);
        text = popped?.[1] ?? null;
      } catch (error) {
        if (this.closed) return;
        this.options.log("session-requests.read-failed", { error });
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
        continue;
      }
      if (text !== null) await this.handle(text);
    }
  }

  private async handle(text: string): Promise<void> {
    const request = parseSessionRequest(text);
    if ("problem" in request) return this.options.log("session-request.invalid", { problem: request.problem });
    const { session, actor, via } = request;
    if (request.kind === "hold") {
      const known = this.options.hold(session, Date.parse(request.until as string), actor);
      return this.options.log(known ? "session-request.hold" : "session-request.failed", { session, actor, via, until: request.until });
    }
    if (request.kind === "release") {
      await this.options.handBack(session);
      return this.options.log("session-request.release", { session, actor, via });
    }
    const reason = request.reason === "" ? `restart requested by ${actor} (${via})` : `${request.reason} by ${actor} (${via})`;
    this.options.log("session-request.restart", { session, actor, via });
    try {
      await this.options.restart(session, reason);
    } catch (error) {
      this.options.log("session-request.failed", { session, error });
    }
  }

  /** Stops taking requests; one being carried out finishes first. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return this.loop ?? undefined;
    this.closed = true;
    // Ends a pending BLPOP at once (it rejects; the loop sees `closed`). A request already popped is carried out.
    this.connection.disconnect();
    await this.loop;
  }
}

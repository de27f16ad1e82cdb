/**
 * Relay tickets: how one host's daemon opens a session's live terminal on
 * another host's daemon for a browser it serves (terminal-relay.ts). Both
 * daemons share the swarm's Redis, which already holds the API's tokens and
 * browser sessions, so a ticket is minted there rather than any token or
 * cookie being forwarded: 32 random bytes, of which only the SHA-256 is kept
 * (`<prefix>:web:relay:<hash>`), living 30 s, carrying the session, the mode
 * (read or write), the host it is for, the host that asked and who asked
 * (the browser's user or token name, the name the take-over's audit events
 * carry). GETDEL spends it atomically, whatever it is presented for: of two
 * uses, one at most gets it, and a ticket shown for another session, mode
 * or host is gone too. It travels in a header (RELAY_HEADER), never in the
 * URL, which proxies and access logs keep.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

export const RELAY_HEADER = "x-claude-agent-relay";
/** Time for one WebSocket handshake between two daemons; a ticket is used within milliseconds of its minting, or never. */
export const RELAY_TICKET_TTL_MS = 30_000;
const TICKET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export type RelayMode = "read" | "write";

export interface RelayGrant {
  readonly session: string;
  readonly mode: RelayMode;
  /** The host whose daemon may take the ticket. */
  readonly host: string;
  /** The host whose daemon minted it (the browser's). */
  readonly from: string;
  /** Who opened the terminal: the browser session's or token's name (`web:alice@laptop`). */
  readonly actor: string;
}

export class RelayTickets {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** A new ticket for `grant`; the returned text is the only copy of it. */
  async mint(grant: RelayGrant, ttlMs = RELAY_TICKET_TTL_MS): Promise<string> {
    const ticket = randomBytes(32).toString("base64url");
    const value: RelayGrant = { ...grant, actor: grant.actor.slice(0, 200) };
    await this.redis.set(this.key(ticket), JSON.stringify(value), "PX", ttlMs);
    return ticket;
  }

  /**
   * The grant of `ticket` if it is for exactly this session, mode and host; spent in any case. Null for a
   * malformed, unknown, expired or used ticket, and for one minted for another session, mode or host.
   */
  async accept(ticket: string, wanted: Pick<RelayGrant, "session" | "mode" | "host">): Promise<RelayGrant | null> {
    if (!TICKET_SHAPE.test(ticket)) return null;
    const raw = await this.redis.getdel(this.key(ticket));
    if (raw === null) return null;
    const grant = parseGrant(raw);
    if (grant === null || grant.session !== wanted.session || grant.mode !== wanted.mode || grant.host !== wanted.host) return null;
    return grant;
  }

  /** Forgets a ticket that was never presented (its relay could not connect). */
  async revoke(ticket: string): Promise<void> {
    if (TICKET_SHAPE.test(ticket)) await this.redis.del(this.key(ticket));
  }

  private key(ticket: string): string {
    return `${this.prefix}:web:relay:${createHash("sha256").update(ticket).digest("hex")}`;
  }
}

function parseGrant(raw: string): RelayGrant | null {
  try {
    const value = JSON.parse(raw) as Record<string, unknown>;
    const { session, mode, host, from, actor } = value;
    if (typeof session !== "string" || typeof host !== "string" || typeof from !== "string" || typeof actor !== "string") return null;
    if (mode !== "read" && mode !== "write") return null;
    return { session, mode, host, from, actor };
  } catch {
    return null;
  }
}

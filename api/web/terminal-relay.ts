/**
 * The web terminal of a session on another host, through that host's
 * daemon: this daemon mints a relay ticket (relay-tickets.ts), opens a
 * WebSocket to the other daemon's own terminal endpoint with the ticket in a
 * header, and passes frames both ways as they are (text stays text, binary
 * stays binary), then each side's close code and reason to the other. That
 * daemon attaches its own tmux client as for a browser of its own, with the
 * same read-only or take-over modes and the same take-over hold, so nothing
 * about a session depends on which host's page it is watched from.
 *
 * https peers are verified against the system's CAs plus `api.peer_ca`;
 * verification is never turned off, and a certificate not trusted is a
 * refusal with the reason (the caller then tries ssh, or closes with it).
 */
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import type { WebSocket } from "@fastify/websocket";
import type { LogFn } from "../../core/index.js";
import type { RelayMode, RelayTickets } from "./relay-tickets.js";
import { RELAY_HEADER } from "./relay-tickets.js";
import { openWsClient, type WsClient } from "./ws-client.js";

export interface RelayDeps {
  readonly tickets: RelayTickets;
  /** This daemon's host name (the ticket's `from`). */
  readonly self: string;
  /** PEM of `api.peer_ca`: CAs trusted besides the system's for https peers; null: the system's only. */
  readonly peerCa: Buffer | null;
  readonly log: LogFn;
  /** The whole opening handshake with the other daemon (TCP, TLS, upgrade); default 10 s. */
  readonly connectTimeoutMs?: number;
}

export interface RelayTarget {
  readonly session: string;
  readonly host: string;
  /** The other daemon's API, an http(s) origin already checked (parseApiUrl). */
  readonly url: string;
  readonly mode: RelayMode;
  readonly actor: string;
}

/** A viewer that falls this far behind is closed, as a local one is (terminal.ts). */
const MAX_BUFFERED = 4 * 1024 * 1024;
/** What the other daemon accepts from a client (server.ts registers the plugin with 64 KiB); its frames to us are the pty's chunks. */
const MAX_PAYLOAD = 16 * 1024 * 1024;

/** Codes a TLS handshake fails with when the peer's certificate is not one we trust (Node's `error.code`). */
const UNTRUSTED = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

interface Relay {
  finish(code: number, reason: string): void;
}

export class TerminalRelays {
  private readonly relays = new Set<Relay>();
  private closed = false;
  /** The CAs an https peer may be signed by, when api.peer_ca adds one; undefined: Node's default list. */
  private readonly ca: (string | Buffer)[] | undefined;

  constructor(private readonly deps: RelayDeps) {
    // Node's `ca` replaces its default list (its bundled roots plus NODE_EXTRA_CA_CERTS), so both go back in beside peer_ca.
    this.ca = deps.peerCa ? [...rootCertificates, ...extraCaCerts(), deps.peerCa] : undefined;
  }

  /** Relays open now (tests count them). */
  get count(): number {
    return this.relays.size;
  }

  /** The other daemon's socket, open (its upgrade accepted), or why it could not be opened. */
  async connect(target: RelayTarget): Promise<WsClient | { reason: string }> {
    const ticket = await this.deps.tickets.mint({ session: target.session, mode: target.mode, host: target.host, from: this.deps.self, actor: target.actor });
    const https = target.url.startsWith("https:");
    const url = `${target.url.replace(/^http/, "ws")}/v1/sessions/${encodeURIComponent(target.session)}/terminal${target.mode === "write" ? "?mode=write" : ""}`;
    const upstream = openWsClient(url, {
      headers: { [RELAY_HEADER]: ticket },
      ...(https && this.ca ? { ca: this.ca } : {}),
      handshakeTimeout: this.deps.connectTimeoutMs ?? 10_000,
      maxPayload: MAX_PAYLOAD,
      followRedirects: false,
      perMessageDeflate: false,
    });
    const opened = await new Promise<true | Error>((resolve) => {
      upstream.on("open", () => resolve(true));
      upstream.on("error", (error) => resolve(error));
    });
    if (opened === true) return upstream;
    upstream.terminate();
    // Never presented (or refused before GETDEL): gone now rather than in 30 s.
    await this.deps.tickets.revoke(ticket).catch(() => undefined);
    const reason = failure(target, opened);
    this.deps.log("web.relay-failed", { session: target.session, host: target.host, url: target.url, reason });
    return { reason };
  }

  /** Passes frames between the browser's socket and the other daemon's until either closes; then closes both. */
  pipe(browser: WebSocket, upstream: WsClient, target: RelayTarget): void {
    let done = false;
    const relay: Relay = {
      finish: (code, reason) => {
        if (done) return;
        done = true;
        this.relays.delete(relay);
        if (browser.readyState === browser.OPEN) browser.close(sendable(code), reason);
        if (upstream.readyState === upstream.OPEN) upstream.close(sendable(code) === 1000 ? 1000 : 1001, "relay closed");
        else upstream.terminate();
      },
    };
    if (this.closed || browser.readyState !== browser.OPEN) {
      upstream.terminate();
      return;
    }
    this.relays.add(relay);
    upstream.on("message", (data, isBinary) => {
      if (browser.bufferedAmount > MAX_BUFFERED) return relay.finish(4008, "viewer too slow; reconnect");
      browser.send(data, { binary: isBinary });
    });
    upstream.on("close", (code, reason) => relay.finish(code, reason.toString("utf8") || `host ${target.host} closed the terminal`));
    upstream.on("error", () => relay.finish(1011, `relay to host ${target.host} failed`));
    // A read-only viewer's frames are dropped here too: the other daemon drops them as well, this saves the trip.
    browser.on("message", (data: Buffer, isBinary: boolean) => {
      if (target.mode === "write" && upstream.readyState === upstream.OPEN) upstream.send(data, { binary: isBinary });
    });
    browser.on("close", (code: number, reason: Buffer) => relay.finish(code, reason.toString("utf8")));
    browser.on("error", () => relay.finish(1011, "socket error"));
    this.deps.log("web.relay-opened", { session: target.session, host: target.host, mode: target.mode, actor: target.actor });
  }

  /** Closes every relay, both its sockets; idempotent. */
  close(): void {
    this.closed = true;
    for (const relay of [...this.relays]) relay.finish(1001, "the daemon is stopping");
  }
}

/** NODE_EXTRA_CA_CERTS, which Node reads once at start into its default list (a file it cannot read is only warned about). */
function extraCaCerts(): Buffer[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [readFileSync(file)];
  } catch {
    return [];
  }
}

/**
 * A close code one may send: 1005 (none given) and 1006 (the connection dropped) are only ever observed,
 * and ws throws on sending them, as on any code outside 1000-1014 and 3000-4999.
 */
function sendable(code: number): number {
  if (code === 1005) return 1000;
  if ((code >= 1000 && code <= 1014 && code !== 1004 && code !== 1006) || (code >= 3000 && code <= 4999)) return code;
  return 1011;
}

function failure(target: RelayTarget, error: Error & { code?: string }): string {
  // A close reason holds 123 bytes: the fix goes before the URL, which the log line (web.relay-failed) has whole.
  if (error.code !== undefined && UNTRUSTED.has(error.code))
    return `host ${target.host}'s API certificate is not trusted (${error.code}); set api.peer_ca to the CA that signed it`;
  const at = `host ${target.host}'s API at ${target.url}`;
  const status = /Unexpected server response: (\d+)/.exec(error.message);
  if (status) return `${at} refused the terminal relay (HTTP ${status[1]})`;
  return `cannot reach ${at}: ${error.code ?? error.message}`;
}

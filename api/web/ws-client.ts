/**
 * The WebSocket client the web terminal's relay opens to another host's
 * daemon: the `ws` package, the copy @fastify/websocket serves our sockets
 * with (Node 20 has no WebSocket client of its own; the global one came in
 * Node 22). Its message event gives `isBinary`, which the relay needs to
 * pass text and binary frames on as they came.
 */
import WebSocket from "ws";

/** The other daemon's socket, as the relay uses it. */
export type WsClient = WebSocket;

export interface WsClientOptions {
  readonly headers: Readonly<Record<string, string>>;
  /** Trusted CAs for wss (Node's `ca`: replaces the default list, so callers pass the system's too). */
  readonly ca?: readonly (string | Buffer)[];
  /** The opening handshake (TCP, TLS and the upgrade) must end within this, or the socket errors. */
  readonly handshakeTimeout: number;
  readonly maxPayload: number;
  /** A redirect would send the ticket's header elsewhere. */
  readonly followRedirects: false;
  readonly perMessageDeflate: false;
}

export function openWsClient(url: string, options: WsClientOptions): WsClient {
  const { headers, ca, ...rest } = options;
  return new WebSocket(url, { ...rest, headers: { ...headers }, ...(ca ? { ca: [...ca] } : {}) });
}

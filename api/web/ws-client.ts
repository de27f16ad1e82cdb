/**
 * The WebSocket client the web terminal's relay opens to another host's
 * daemon. Node 20 has no WebSocket client of its own (the global one came in
 * Node 22), so this is the `ws` package @fastify/websocket serves our sockets
 * with, resolved from that package's own folder: the same copy (8.x) as the
 * server side, and no new dependency. The top-level node_modules/ws is 7.x,
 * hoisted for pm2 and langchain; its message event has no `isBinary`, which
 * the relay needs to pass text and binary frames on as they came.
 */
import { createRequire } from "node:module";

export interface WsClient {
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly OPEN: number;
  send(data: Buffer | string, options?: { binary?: boolean }): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: "open", listener: () => void): this;
  on(event: "message", listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: "close", listener: (code: number, reason: Buffer) => void): this;
  on(event: "error", listener: (error: Error & { code?: string }) => void): this;
}

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

const require = createRequire(import.meta.url);
const WsClientClass = createRequire(require.resolve("@fastify/websocket"))("ws") as new (url: string, options: WsClientOptions) => WsClient;

export function openWsClient(url: string, options: WsClientOptions): WsClient {
  return new WsClientClass(url, options);
}

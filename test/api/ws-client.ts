/**
 * A WebSocket client for the tests (Node 20 has no global WebSocket): the
 * `ws` package that @fastify/websocket already installs, typed as much as
 * the tests use it.
 */
import { createRequire } from "node:module";

export interface TestSocket {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  on(event: "open", listener: () => void): void;
  on(event: "message", listener: (data: Buffer) => void): void;
  on(event: "close", listener: (code: number, reason: Buffer) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  on(event: "unexpected-response", listener: (req: unknown, res: { statusCode: number }) => void): void;
}

const require = createRequire(import.meta.url);
const WebSocketClass = require("ws") as new (url: string, options?: { headers?: Record<string, string> }) => TestSocket;

/** Opens a socket; resolves once open, or rejects with the HTTP status the upgrade got. */
export function openSocket(url: string, headers: Record<string, string>): Promise<{ socket: TestSocket; frames: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocketClass(url, { headers });
    const frames: Record<string, unknown>[] = [];
    socket.on("message", (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
    socket.on("open", () => resolve({ socket, frames }));
    socket.on("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    socket.on("error", reject);
  });
}

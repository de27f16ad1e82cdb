/**
 * The WebSocket stream: the same events as SSE, several subscriptions per
 * connection, each with its own filter and resume id. Frames are JSON. A
 * client whose unsent frames exceed maxBufferedBytes is closed with code
 * 4008 and the reason; a malformed message gets an error frame naming the
 * field, never a closed connection.
 */
import type { WebSocket } from "@fastify/websocket";
import { wsMessage } from "../schemas/events.js";
import type { StreamLimits } from "../routes/deps.js";
import type { SseStats } from "./sse.js";
import type { EventHub, Subscription } from "./hub.js";

const MAX_SUBSCRIPTIONS = 32;

export function serveWebSocket(socket: WebSocket, hub: EventHub, limits: StreamLimits, stats: SseStats): void {
  const subscriptions = new Map<string, Subscription>();
  let closed = false;
  stats.opened();
  const send = (frame: unknown): void => {
    if (closed || socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > limits.maxBufferedBytes) {
      stats.dropped("slow");
      shutdown();
      return socket.close(4008, "client too slow; resubscribe with `after`");
    }
    socket.send(JSON.stringify(frame));
  };
  const shutdown = (): void => {
    if (closed) return;
    closed = true;
    for (const subscription of subscriptions.values()) subscription.close();
    subscriptions.clear();
    clearInterval(heartbeat);
    stats.closed();
  };
  socket.on("message", (data: Buffer, isBinary: boolean) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(isBinary ? "" : data.toString());
    } catch {
      return send({ type: "error", detail: "expected a JSON message" });
    }
    const message = wsMessage.safeParse(parsed);
    if (!message.success) {
      return send({ type: "error", errors: message.error.issues.map((i) => ({ pointer: i.path.map((p) => `/${String(p)}`).join(""), detail: i.message })) });
    }
    const msg = message.data;
    if (msg.type === "ping") return send({ type: "pong" });
    const id = msg.id ?? "default";
    subscriptions.get(id)?.close();
    subscriptions.delete(id);
    if (msg.type === "unsubscribe") return send({ type: "unsubscribed", id });
    if (subscriptions.size >= MAX_SUBSCRIPTIONS) return send({ type: "error", detail: `at most ${MAX_SUBSCRIPTIONS} subscriptions per connection` });
    subscriptions.set(
      id,
      hub.subscribe(msg.filter ?? {}, msg.after, {
        events: (events) => {
          for (const event of events) send({ type: "event", subscription: id, event });
        },
        gap: (info) => send({ type: "gap", subscription: id, ...info }),
        end: (reason) => send({ type: "error", subscription: id, detail: reason }),
      }),
    );
    send({ type: "subscribed", id });
  });
  const heartbeat = setInterval(() => socket.ping(), limits.heartbeatMs);
  heartbeat.unref();
  socket.on("close", shutdown);
  socket.on("error", shutdown);
}

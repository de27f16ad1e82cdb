/**
 * One Server-Sent Events client. Each event goes out as `id:` (its stream
 * id, so a reconnecting EventSource sends it back as Last-Event-ID), `event:`
 * (its type) and `data:` (the event as JSON). A comment every heartbeatMs
 * keeps proxies from closing an idle stream. A client that reads slower than
 * events come is dropped once more than maxBufferedBytes wait in our buffers
 * when the next events are due: it gets a
 * final `dropped` event with the reason (when it reads again) and the
 * connection closes; it can resume with Last-Event-ID. The daemon never
 * blocks on it and never holds more than that per client.
 */
import type { FastifyReply } from "fastify";
import type { SwarmEvent } from "../../core/index.js";
import type { StreamLimits } from "../routes/deps.js";
import type { EventFilter } from "./filter.js";
import type { EventHub } from "./hub.js";

export interface SseStats {
  dropped(reason: string): void;
  opened(): void;
  closed(): void;
}

export function serveSse(reply: FastifyReply, hub: EventHub, filter: EventFilter, after: string | undefined, limits: StreamLimits, stats: SseStats): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.write("retry: 2000\n: connected\n\n");
  stats.opened();
  let ended = false;
  const end = (finalFrame: string, reason: string | null): void => {
    if (ended) return;
    ended = true;
    subscription.close();
    clearInterval(heartbeat);
    if (reason) stats.dropped(reason);
    // The connection ends with the stream: left to HTTP keep-alive, a dropped client would wait for the server's
    // idle timeout (Fastify's: 72 s) to see its stream end.
    const socket = res.socket; // detached from the response once it finishes
    res.end(finalFrame, () => socket?.end());
    setTimeout(() => res.destroy(), limits.dropGraceMs).unref();
  };
  // Checked before each write: what the client has not taken since the last batches. One batch (at most
  // the hub's 1,000 events) may be larger than the limit; a client that keeps up drains it before the next.
  const write = (frame: string | Buffer): void => {
    if (ended) return;
    if (res.writableLength > limits.maxBufferedBytes) {
      const reason = `client too slow: more than ${limits.maxBufferedBytes} bytes of events waiting; resume with Last-Event-ID`;
      return end(`event: dropped\ndata: ${JSON.stringify({ reason })}\n\n`, "slow");
    }
    res.write(frame);
  };
  const subscription = hub.subscribe(filter, after, {
    events(events: readonly SwarmEvent[]) {
      write(framesOf(events));
    },
    gap(info) {
      write(`event: gap\ndata: ${JSON.stringify({ ...info, reason: "events after the resume id were trimmed from the stream (it keeps about 100,000)" })}\n\n`);
    },
    end(reason) {
      end(`event: error\ndata: ${JSON.stringify({ reason })}\n\n`, null);
    },
  });
  const heartbeat = setInterval(() => write(": heartbeat\n\n"), limits.heartbeatMs);
  heartbeat.unref();
  res.once("close", () => {
    if (!ended) {
      ended = true;
      subscription.close();
      clearInterval(heartbeat);
    }
    stats.closed();
  });
}

/**
 * The frames of a delivery, built once however many clients it goes to:
 * the hub hands every unfiltered live subscriber the same array, so their
 * frames are one Buffer (serialised and encoded once, written to each
 * socket); a filtered subscriber's array is its own, but each event's frame
 * is still built once.
 */
const batchFrames = new WeakMap<readonly SwarmEvent[], Buffer>();
const eventFrames = new WeakMap<SwarmEvent, string>();

export function framesOf(events: readonly SwarmEvent[]): Buffer {
  let frames = batchFrames.get(events);
  if (!frames) {
    let text = "";
    for (const event of events) text += frameOf(event);
    frames = Buffer.from(text);
    batchFrames.set(events, frames);
  }
  return frames;
}

/** Event types are ours, but a type that is not a plain word becomes `message` rather than break the frame. */
function frameOf(event: SwarmEvent): string {
  let frame = eventFrames.get(event);
  if (frame === undefined) {
    const type = /^[a-z0-9][a-z0-9.-]{0,63}$/.test(event.type) ? event.type : "message";
    frame = `id: ${event.id}\nevent: ${type}\ndata: ${JSON.stringify(event)}\n\n`;
    eventFrames.set(event, frame);
  }
  return frame;
}

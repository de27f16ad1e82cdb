/**
 * The swarm's event stream (SSE at /v1/events), read with fetch rather than
 * EventSource: EventSource hands named events (`event: task.completed`) only
 * to listeners of that exact name, and gives up for good on an HTTP error
 * (a daemon answering 503 while it restarts). Every reconnection sends the
 * last id seen as `Last-Event-ID`; the server replays what came after it, so
 * nothing is lost or repeated across a daemon restart.
 */
import type { SwarmEvent } from "./types.js";

export type LiveState = "connecting" | "live" | "reconnecting" | "logged-out";

export class LiveEvents {
  private lastId: string | null = null;
  private controller: AbortController | null = null;
  private closed = false;
  private retryMs = 500;

  constructor(
    private readonly onEvent: (event: SwarmEvent) => void,
    private readonly onState: (state: LiveState) => void,
  ) {}

  /** Starts reading after `lastId` (the newest event the page already has), so nothing between that and the first connection is missed. */
  start(lastId: string | null = null): void {
    this.lastId = lastId;
    void this.run();
  }

  close(): void {
    this.closed = true;
    this.controller?.abort();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const controller = new AbortController();
      this.controller = controller;
      try {
        const headers: Record<string, string> = { accept: "text/event-stream" };
        if (this.lastId) headers["last-event-id"] = this.lastId;
        const response = await fetch("/v1/events", { headers, credentials: "same-origin", cache: "no-store", signal: controller.signal });
        if (response.status === 401) return this.onState("logged-out");
        if (response.ok && response.body) {
          this.onState("live");
          this.retryMs = 500;
          await this.read(response.body);
        }
      } catch {
        // the daemon went away or the connection broke: reconnect below
      }
      if (this.closed) return;
      this.onState("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
      this.retryMs = Math.min(this.retryMs * 2, 8000);
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        this.dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  private dispatch(block: string): void {
    let id = "";
    let type = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "event") type = value;
      else if (field === "data") data.push(value);
    }
    if (id) this.lastId = id;
    if (data.length === 0) return;
    try {
      const event = JSON.parse(data.join("\n")) as SwarmEvent;
      this.onEvent({ ...event, id: event.id ?? id, type: event.type ?? type });
    } catch {
      // a gap or dropped notice without a JSON body
    }
  }
}

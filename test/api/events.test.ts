/**
 * Live events: SSE with filters, heartbeats and exact resumption by
 * Last-Event-ID, a slow client dropped without slowing anyone else, and the
 * WebSocket stream with subscriptions and its Origin check. The API runs in
 * the test's process (startApi, the daemon's own entry) against a real
 * swarm, with small heartbeat and buffer limits.
 */
import { connect as netConnect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type RunningApi } from "../../api/index.js";
import { configFromObject, homePrefix, redisTarget } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { API_AGENTS, call, sleep } from "./support.js";
import { openSocket } from "./ws-client.js";
import { parse as parseYaml } from "yaml";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/wait.js";
import { clientInternals } from "../../client/index.js";

/** Large enough for a client in this (busy) test process to keep up, far below the flood a stalled one is sent. */
const MAX_BUFFERED = 4 * 1024 * 1024;

interface SseEvent {
  id: string;
  event: string;
  data: Record<string, string>;
}

/** Reads an SSE response until `stop` says so; returns the events and comments seen. */
async function readSse(
  url: string,
  token: string,
  headers: Record<string, string>,
  stop: (events: SseEvent[], comments: string[]) => boolean,
  timeoutMs = 20_000,
) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let buffer = "";
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) comments.push(line.slice(1).trim());
          else {
            const colon = line.indexOf(":");
            fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
          }
        }
        if (fields.data !== undefined)
          events.push({ id: fields.id ?? "", event: fields.event ?? "message", data: JSON.parse(fields.data) as Record<string, string> });
      }
      if (stop(events, comments)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { status: response.status, contentType: response.headers.get("content-type"), events, comments };
}

describe("live events", () => {
  let swarm: TestSwarm;
  let api: RunningApi;
  let client: Swarm;
  let token: string;

  beforeAll(async () => {
    swarm = await startTestSwarm(`${API_AGENTS}\napi: false\n`);
    const config = configFromObject(
      { ...(parseYaml(API_AGENTS) as object), api: { listen: "127.0.0.1:0", allowed_origins: ["https://dash.example.com"] } },
      { file: join(swarm.home, "swarm.yaml"), baseDir: swarm.home },
    );
    api = await startApi({
      home: swarm.home,
      prefix: homePrefix(swarm.home),
      target: redisTarget(swarm.paths),
      config,
      // The slow client below reads again only after the fast one got all 60,000 events, which on a loaded
      // machine takes longer than the default 10 s the final `dropped` frame gets before the socket is destroyed.
      streams: { heartbeatMs: 200, maxBufferedBytes: MAX_BUFFERED, dropGraceMs: 170_000 },
    });
    token = readFileSync(join(swarm.home, "api.token"), "utf8").trim();
    client = await swarm.connect();
  });
  afterAll(async () => {
    await api?.close();
    await swarm?.destroy();
  });

  it("streams events as SSE with their stream ids, filtered by agent and type, with heartbeats", async () => {
    const reading = readSse(
      `${api.url}/v1/events?agent=beta&type=task.completed,task.started`,
      token,
      {},
      (events, comments) => events.length >= 2 && comments.includes("heartbeat"),
    );
    await sleep(300);
    await client.submit({ task: "echo on alpha", agent: "alpha" });
    const beta = await client.submit({ task: "echo on beta", agent: "beta" });
    const { status, contentType, events, comments } = await reading;
    expect(status).toBe(200);
    expect(contentType).toContain("text/event-stream");
    expect(comments).toContain("heartbeat");
    expect(events.map((e) => [e.event, e.data.taskId])).toEqual([
      ["task.started", beta.id],
      ["task.completed", beta.id],
    ]);
    for (const event of events) {
      expect(event.id).toMatch(/^\d+-\d+$/);
      expect(event.data).toMatchObject({ id: event.id, agent: "beta", type: event.event });
    }
  });

  it("resumes after Last-Event-ID with every later event once, none missing, none repeated", async () => {
    const reading = readSse(`${api.url}/v1/events`, token, {}, (events) => events.some((e) => e.event === "task.completed"));
    await sleep(300);
    await (await client.submit({ task: "echo before", agent: "alpha" })).result();
    const first = await reading;
    const cut = first.events.at(-1)!.id;
    // While no client listens: twenty tasks' worth of events.
    const handles = await Promise.all(Array.from({ length: 20 }, (_, i) => client.submit({ task: `echo gap-${i}`, agent: i % 2 ? "alpha" : "beta" })));
    await Promise.all(handles.map((h) => h.result()));
    const stored = (await clientInternals(client.client).redis.xrange(client.client.events.key, `(${cut}`, "+")).map(([id]) => id);
    const resumed = await readSse(`${api.url}/v1/events`, token, { "last-event-id": cut }, (events) => events.length >= stored.length);
    expect(resumed.events.map((e) => e.id)).toEqual(stored.slice(0, resumed.events.length));
    expect(resumed.events.length).toBe(stored.length);
  }, 60_000);

  it("refuses a malformed Last-Event-ID with 400", async () => {
    const reply = await call(api.url, token, "GET", "/v1/events", { headers: { "last-event-id": "yesterday" } });
    expect(reply.status).toBe(400);
    expect(reply.json.errors[0]).toMatchObject({ pointer: "/Last-Event-ID", in: "header" });
  });

  it("drops a client that stops reading, with a reason, while another client gets every event and tasks still run", async () => {
    const key = client.client.events.key;
    const host = new URL(api.url);
    const slow = netConnect(Number(host.port), host.hostname);
    await new Promise((resolve) => slow.once("connect", resolve));
    slow.write(`GET /v1/events HTTP/1.1\r\nHost: ${host.host}\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    slow.pause();
    await sleep(300);
    const startId = (await clientInternals(client.client).redis.xrevrange(key, "+", "-", "COUNT", 1))[0]![0];
    const FLOOD = 60_000;
    const fast = readSse(`${api.url}/v1/events?type=flood`, token, { "last-event-id": startId }, (events) => events.length >= FLOOD, 120_000);
    const padding = "x".repeat(400);
    for (let i = 0; i < FLOOD; i += 1000) {
      const pipeline = clientInternals(client.client).redis.pipeline();
      for (let j = i; j < i + 1000; j++) pipeline.xadd(key, "*", "type", "flood", "at", new Date().toISOString(), "message", `${j} ${padding}`);
      await pipeline.exec();
    }
    const task = await client.submit({ task: "echo still running", agent: "alpha" });
    expect((await task.result()).status).toBe("completed");
    const metrics = await waitFor(
      "the slow client to be dropped",
      async () => {
        const text = (await call(api.url, token, "GET", "/metrics")).text;
        return /claude_agent_api_event_streams_dropped_total\{reason="slow"\} [1-9]/.test(text) ? text : null;
      },
      { timeoutMs: 60_000 },
    );
    expect(metrics).toBeTruthy();
    expect((await fast).events).toHaveLength(FLOOD);
    // The slow client, once it reads again, finds the reason at the end of a closed stream.
    slow.resume();
    let received = "";
    slow.on("data", (chunk: Buffer) => (received += chunk.toString()));
    await new Promise((resolve) => slow.once("end", resolve));
    // The last frame (the response is chunked: its terminating zero-size chunk follows).
    expect(received.slice(-300)).toMatch(
      /event: dropped\ndata: \{"reason":"client too slow: more than 4194304 bytes of events waiting; resume with Last-Event-ID"\}\n\n\r\n0\r\n\r\n$/,
    );
    expect(received.length).toBeLessThan(FLOOD * 450);
  }, 180_000);

  it("serves the same events over a WebSocket, per subscription, with its filter and resume id", async () => {
    const { socket, frames } = await openSocket(`${api.url.replace("http", "ws")}/v1/ws`, { authorization: `Bearer ${token}` });
    const before = await client.client.events.lastId();
    socket.send(JSON.stringify({ type: "subscribe", id: "betas", filter: { agent: "beta", type: "task.completed" } }));
    socket.send(JSON.stringify({ type: "subscribe", id: "everything", after: before }));
    socket.send(JSON.stringify({ type: "subscribe", filter: { agent: "no such!" } }));
    await waitFor("subscriptions", () => frames.filter((f) => f.type === "subscribed").length === 2);
    const task = await client.submit({ task: "echo over ws", agent: "beta" });
    await task.result();
    await waitFor("the completion over the socket", () => frames.some((f) => f.subscription === "betas"));
    const betas = frames.filter((f) => f.subscription === "betas");
    expect(betas.map((f) => (f.event as { taskId: string; type: string }).type)).toEqual(["task.completed"]);
    expect((betas[0]!.event as { taskId: string }).taskId).toBe(task.id);
    const all = frames.filter((f) => f.subscription === "everything").map((f) => f.event as { type: string; taskId?: string });
    expect(all.filter((e) => e.taskId === task.id).map((e) => e.type)).toEqual(["task.submitted", "task.started", "task.completed"]);
    expect(frames.find((f) => f.type === "error")).toMatchObject({ errors: [expect.objectContaining({ pointer: "/filter/agent" })] });
    socket.close();
  });

  it("checks the Origin of a WebSocket upgrade: a foreign page is refused, the configured one allowed", async () => {
    const url = `${api.url.replace("http", "ws")}/v1/ws`;
    await expect(openSocket(url, { authorization: `Bearer ${token}`, origin: "https://evil.example" })).rejects.toThrow("upgrade refused: 403");
    await expect(openSocket(url, { origin: "https://dash.example.com" })).rejects.toThrow("upgrade refused: 401");
    const allowed = await openSocket(url, { authorization: `Bearer ${token}`, origin: "https://dash.example.com" });
    allowed.socket.close();
  });
});

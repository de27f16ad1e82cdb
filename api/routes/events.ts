import { route, type AnyRoute } from "../http/route.js";
import { problems } from "../http/problem.js";
import { serveSse } from "../events/sse.js";
import { eventList, listEventsQuery, sseQuery, streamId } from "../schemas/events.js";
import type { ApiDeps } from "./deps.js";

export function eventRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: "GET",
      url: "/v1/events",
      operationId: "streamEvents",
      summary: "Live events as Server-Sent Events",
      description:
        "Each event's `id:` is its stream id: reconnect with `Last-Event-ID` (or `?after=`) to resume with no gap and no duplicate. Filters: agent, task, workflow, type. A `: heartbeat` comment every 15 s; a client that falls more than 1 MiB behind gets a `dropped` event and is disconnected.",
      tag: "events",
      scope: "read",
      raw: true,
      query: sseQuery,
      headers: { "Last-Event-ID": { description: "resume after this event id", schema: streamId } },
      responses: { 200: { description: "an endless stream of events", contentType: "text/event-stream" } },
      async handler({ query, request, reply }) {
        const header = request.headers["last-event-id"];
        let after = query.after;
        if (typeof header === "string" && header !== "") {
          const parsed = streamId.safeParse(header);
          if (!parsed.success) throw problems.invalid([{ pointer: "/Last-Event-ID", in: "header", detail: parsed.error.issues[0]!.message }]);
          after = parsed.data;
        }
        const { after: _a, ...filter } = query;
        serveSse(reply, deps.hub, filter, after, deps.streams, deps.metrics.sse);
      },
    }),
    route({
      method: "GET",
      url: "/v1/events/history",
      operationId: "listEvents",
      summary: "Stored events as JSON (newest `limit`, or those after an id)",
      tag: "events",
      scope: "read",
      query: listEventsQuery,
      responses: { 200: { description: "events, oldest first", schema: eventList } },
      handler: ({ query }) => deps.control.events(query),
    }),
    route({
      method: "GET",
      url: "/v1/ws",
      operationId: "eventsWebSocket",
      summary: "Live events over a WebSocket, with subscriptions",
      description:
        'Send `{"type":"subscribe","id":"s1","filter":{"agent":"testing"},"after":"<id>"}`; receive `{"type":"event","subscription":"s1","event":{…}}`. `unsubscribe` and `ping` too. The `Origin` of a browser must be the API\'s own or listed in api.allowed_origins.',
      tag: "events",
      scope: "read",
      websocket: true,
      raw: true,
      responses: { 101: { description: "switching to the WebSocket protocol" }, 403: { description: "Origin not allowed" } },
      async handler() {
        return undefined;
      },
    }),
  ];
}

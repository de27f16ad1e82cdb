/**
 * A task's events in order (submitted, started, retried, completed, …), each
 * at its offset from the first: where the time went. Read from the event
 * list (GET /v1/events/history?task=ID), reloaded as the task's events arrive.
 */
import { h, type ComponentChild } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../http.js";
import type { SwarmEvent } from "../types.js";
import { clock } from "./format.js";

export function TaskTimeline(props: { id: string; epoch: number }): ComponentChild {
  const [events, setEvents] = useState<readonly SwarmEvent[] | null>(null);
  useEffect(() => {
    let current = true;
    api<{ events: SwarmEvent[] }>("GET", `/v1/events/history?task=${encodeURIComponent(props.id)}&limit=200`)
      .then((list) => current && setEvents(list.events))
      .catch(() => current && setEvents([]));
    return () => {
      current = false;
    };
  }, [props.id, props.epoch]);
  if (events === null) return null;
  if (events.length === 0) return h("p", { class: "muted" }, "No events kept for this task (Redis keeps the newest events only).");
  const start = Date.parse(events[0]?.at ?? "");
  return h(
    "ol",
    { class: "timeline", "data-timeline": props.id },
    events.map((event) =>
      h(
        "li",
        { key: event.id, "data-event": event.type },
        h("span", { class: "offset" }, offset(Date.parse(event.at) - start)),
        `${event.type}${event.session ? ` on ${event.session}` : ""}`,
        h("span", { class: "muted" }, ` · ${clock(event.at)}`),
      ),
    ),
  );
}

function offset(ms: number): string {
  if (!Number.isFinite(ms)) return "";
  return ms < 1000 ? `+${ms} ms` : ms < 60_000 ? `+${(ms / 1000).toFixed(1)} s` : `+${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

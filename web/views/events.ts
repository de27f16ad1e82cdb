/** The newest events as they arrive (after a reconnection, the ones missed meanwhile, replayed by the server). */
import { h, type ComponentChild } from "preact";
import type { SwarmEvent } from "../types.js";
import { clock } from "./format.js";

export function RecentEvents(props: { events: readonly SwarmEvent[] }): ComponentChild {
  return h(
    "section",
    { "aria-labelledby": "events-h", class: "events" },
    h("h2", { id: "events-h" }, "Recent events"),
    props.events.length === 0
      ? h("p", { class: "muted" }, "None since this page opened.")
      : h(
          "ol",
          { class: "event-list" },
          props.events.map((e) =>
            h(
              "li",
              { key: e.id, "data-event": e.id, "data-type": e.type, "data-task": e.taskId ?? "" },
              h("span", { class: "muted" }, clock(e.at)),
              " ",
              h("strong", null, e.type),
              " ",
              [e.session ?? e.agent, e.taskId, e.action, e.actor].filter(Boolean).join(" · "),
            ),
          ),
        ),
  );
}

/**
 * Every session of every agent: state (a word, with a colour that only
 * repeats it), current task, time in that state, host, counts; filters by
 * name and state. 64 agents fit on one screen: one row per session, keyed,
 * so a live update re-renders only the rows that changed.
 */
import { h, type ComponentChild } from "preact";
import { useState } from "preact/hooks";
import type { State } from "../store.js";
import type { AgentView, SessionView } from "../types.js";
import { RecentEvents } from "./events.js";
import { ago, stateLabel } from "./format.js";

const STATES = ["all", "idle", "working", "needs input", "taken over", "starting", "down", "lost", "failed"] as const;

export function Agents(props: { state: State; now: number }): ComponentChild {
  const [text, setText] = useState("");
  const [only, setOnly] = useState<(typeof STATES)[number]>("all");
  const { status, since, session } = props.state;
  if (!status) return h("p", { class: "muted" }, "Loading…");
  const canWatch = session.scopes.includes("terminal");
  const rows: ComponentChild[] = [];
  for (const agent of status.agents) {
    for (const s of agent.sessions) {
      const label = stateLabel(s.state, s.needsInput, s.takenOver);
      if (only !== "all" && label !== only) continue;
      if (text && !`${s.name} ${agent.name} ${agent.runtime}`.includes(text.trim())) continue;
      const at = since.get(s.name);
      rows.push(row(agent, s, label, at ? `${at.exact ? "" : "≥ "}${ago(props.now - at.at)}` : "", canWatch));
    }
  }
  return h(
    "section",
    { "aria-labelledby": "agents-h" },
    h("h2", { id: "agents-h" }, "Agents"),
    h(
      "div",
      { class: "filters" },
      h(
        "label",
        null,
        "Filter ",
        h("input", { type: "search", value: text, onInput: (e: Event) => setText((e.target as HTMLInputElement).value), placeholder: "agent or session" }),
      ),
      h(
        "label",
        null,
        "State ",
        h(
          "select",
          { value: only, onChange: (e: Event) => setOnly((e.target as HTMLSelectElement).value as (typeof STATES)[number]) },
          STATES.map((s) => h("option", { value: s }, s)),
        ),
      ),
      h("span", { class: "muted" }, `${rows.length} shown`),
    ),
    h(
      "table",
      { class: "agents" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          ["Session", "Agent", "State", "Current task", "In state", "Host", "Done", "Failed", ""].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h("tbody", null, rows),
    ),
    h(RecentEvents, { events: props.state.events }),
  );
}

function row(agent: AgentView, s: SessionView, label: string, inState: string, canWatch: boolean): ComponentChild {
  const notes = [
    agent.paused ? "paused" : "",
    agent.parkedUntil ? "parked" : "",
    agent.breaker && agent.breaker.state !== "closed" && (!agent.breaker.hosts || agent.breaker.hosts.includes(s.host)) ? `breaker ${agent.breaker.state}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return h(
    "tr",
    { key: s.name, "data-session": s.name },
    h("td", null, s.name),
    h("td", null, agent.name, notes ? h("span", { class: "note" }, ` (${notes})`) : null),
    h(
      "td",
      null,
      h("span", { class: `state state-${label.replace(" ", "-")}` }, label),
      s.takenOver ? h("span", { class: "note" }, ` by ${s.takenOver.by}`) : null,
    ),
    h("td", null, s.currentTask ? h("a", { href: `#/tasks/${encodeURIComponent(s.currentTask)}` }, s.currentTask) : "—"),
    h("td", { class: "num" }, inState),
    h("td", null, s.host),
    h("td", { class: "num" }, String(s.completed)),
    h("td", { class: "num" }, String(s.failed)),
    h("td", null, canWatch ? h("a", { href: `#/terminal/${encodeURIComponent(s.name)}`, class: "button" }, "Terminal") : null),
  );
}

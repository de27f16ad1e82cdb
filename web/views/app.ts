/** The page after login: navigation, the live-connection indicator, the inbox count (also in the title), and the view the address names (#/agents, #/tasks[/id], #/workflows[/id], #/queues, #/inbox, #/health, #/terminal/session, #/replay/task-id). */
import { h, type ComponentChild } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { State, Store } from "../store.js";
import { Agents } from "./agents.js";
import { Health } from "./health.js";
import { Inbox } from "./inbox.js";
import { Queues } from "./queues.js";
import { Tasks } from "./tasks.js";
import { Replay } from "./replay.js";
import { Terminal } from "./terminal.js";
import { Workflows } from "./workflows.js";

export function App(props: { store: Store; onLogout: () => void }): ComponentChild {
  const [state, setState] = useState<State>(props.store.current);
  const [route, setRoute] = useState(location.hash);
  const [now, setNow] = useState(Date.now());
  useEffect(() => props.store.subscribe(setState), [props.store]);
  const waiting = state.inbox.length;
  useEffect(() => {
    document.title = waiting > 0 ? `(${waiting}) claude-agent` : "claude-agent";
  }, [waiting]);
  useEffect(() => {
    const onHash = () => setRoute(location.hash);
    addEventListener("hashchange", onHash);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      removeEventListener("hashchange", onHash);
      clearInterval(tick);
    };
  }, []);
  const [, view = "agents", arg] = route.split("/").map((p) => decodeURIComponent(p));
  const tab = (name: string, label: string) => h("a", { href: `#/${name}`, class: "tab", "aria-current": view === name ? "page" : undefined }, label);
  return h(
    "div",
    { class: "app" },
    h(
      "header",
      null,
      h("h1", null, "claude-agent"),
      h(
        "nav",
        { "aria-label": "views" },
        tab("agents", "Agents"),
        tab("tasks", "Tasks"),
        tab("workflows", "Workflows"),
        tab("queues", "Queues"),
        tab("inbox", waiting > 0 ? `Needs you (${waiting})` : "Needs you"),
        tab("health", "Health"),
      ),
      h("span", { class: `live live-${state.live}`, role: "status", "data-live": state.live }, state.live === "live" ? "● live" : `○ ${state.live}`),
      h("span", { class: "who" }, state.session.actor, " · ", state.session.scopes.join(", ")),
      h("button", { type: "button", onClick: props.onLogout }, "Log out"),
    ),
    state.live === "logged-out"
      ? h(
          "p",
          { class: "error", role: "alert" },
          "This session has ended (logged out or expired). ",
          h("button", { type: "button", onClick: props.onLogout }, "Log in again"),
        )
      : state.error
        ? h("p", { class: "error", role: "alert" }, state.error)
        : null,
    h(
      "main",
      null,
      view === "tasks"
        ? h(Tasks, { state, selected: arg ?? null })
        : view === "queues"
          ? h(Queues, { state })
          : view === "health"
            ? h(Health, { state })
            : view === "workflows"
              ? h(Workflows, { state, selected: arg ?? null, now })
              : view === "inbox"
                ? h(Inbox, { state, now })
                : view === "terminal" && arg
                  ? h(Terminal, { session: arg })
                  : view === "replay" && arg
                    ? h(Replay, { id: arg })
                    : h(Agents, { state, now }),
    ),
  );
}

/**
 * Health: the swarm's components and agents as `GET /health` reports them
 * (ok, degraded or down), each with its detail and, when it is not ok, what
 * to do about it. Read every 5 s and whenever the swarm's status changes;
 * /health answers 503 when the swarm is down, and that answer is shown too.
 */
import { h, type ComponentChild } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { State } from "../store.js";
import type { HealthComponent, HealthReport } from "../types.js";
import { clock } from "./format.js";

const EVERY_MS = 5000;

export function Health(props: { state: State }): ComponentChild {
  const [report, setReport] = useState<HealthReport | null>(null);
  const [readAt, setReadAt] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    const read = async () => {
      try {
        // Not api(): a 503 is a report too (the swarm is down), not an error to show instead of it.
        const response = await fetch("/health", { credentials: "same-origin", cache: "no-store" });
        const body = (await response.json()) as HealthReport;
        if (!current) return;
        setReport(body);
        setReadAt(new Date().toISOString());
        setError(null);
      } catch (failure) {
        if (current) setError(`the daemon does not answer: ${(failure as Error).message}`);
      }
    };
    void read();
    const timer = setInterval(read, EVERY_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [props.state.status]);
  return h(
    "section",
    { "aria-labelledby": "health-h", class: "health", "data-health": report?.status ?? "unknown" },
    h("h2", { id: "health-h" }, "Health ", report ? h("span", { class: `level level-${report.status}` }, report.status) : null),
    readAt ? h("p", { class: "muted" }, `read at ${clock(readAt)}, every ${EVERY_MS / 1000} s`) : null,
    error ? h("p", { class: "error", role: "alert" }, error) : null,
    report ? [table("Components", report.components), table("Agents", report.agents)] : error ? null : h("p", { class: "muted" }, "Loading…"),
  );
}

function table(title: string, rows: Readonly<Record<string, HealthComponent>>): ComponentChild {
  const names = Object.keys(rows).sort();
  return [
    h("h3", null, title),
    names.length === 0
      ? h("p", { class: "muted" }, "None.")
      : h(
          "table",
          { class: "health-list" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["", "State", "Detail", "What to do"].map((c) => h("th", { scope: "col" }, c)),
            ),
          ),
          h(
            "tbody",
            null,
            names.map((name) => {
              const row = rows[name] as HealthComponent;
              return h(
                "tr",
                { key: name, "data-component": name, "data-level": row.status },
                h("th", { scope: "row" }, name),
                h("td", null, h("span", { class: `level level-${row.status}` }, row.status)),
                h("td", { class: "detail" }, [row.detail ?? "", row.roundTripMs !== undefined ? ` (${row.roundTripMs} ms)` : ""].join("")),
                h("td", { class: "fix" }, row.status === "ok" ? "" : (row.fix ?? "")),
              );
            }),
          ),
        ),
  ];
}

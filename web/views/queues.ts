/**
 * Queues and throughput: each agent's queue (waiting, running, delayed) and
 * what holds it (paused, parked at a usage limit, an open breaker), live from
 * the status; and the last hour from the history: finished tasks per minute
 * (completed, failed, cancelled) and the mean wait from submission to start.
 */
import { h, type ComponentChild } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../http.js";
import type { State } from "../store.js";
import type { AgentView, Throughput } from "../types.js";
import { BarChart } from "./bar-chart.js";
import { clock } from "./format.js";

const EVERY_MS = 15_000;

export function Queues(props: { state: State }): ComponentChild {
  const agents = props.state.status?.agents ?? [];
  const [throughput, setThroughput] = useState<Throughput | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    const read = () =>
      api<Throughput>("GET", "/v1/history/throughput?minutes=60")
        .then((t) => current && (setThroughput(t), setError(null)))
        .catch((failure: Error) => current && setError(failure.message));
    void read();
    const timer = setInterval(read, EVERY_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, []);
  return h(
    "section",
    { "aria-labelledby": "queues-h", class: "queues" },
    h("h2", { id: "queues-h" }, "Queues"),
    h(
      "table",
      { class: "queue-list" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          ["Agent", "Waiting", "Running", "Delayed", "Sessions", "Held by"].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        null,
        agents.map((agent) =>
          h(
            "tr",
            { key: agent.name, "data-queue": agent.name },
            h("th", { scope: "row" }, agent.name),
            h("td", { class: "num", "data-waiting": agent.queue.waiting }, String(agent.queue.waiting)),
            h("td", { class: "num" }, String(agent.queue.active)),
            h("td", { class: "num" }, String(agent.queue.delayed)),
            h("td", { class: "num" }, `${agent.sessions.filter((s) => s.state === "idle" || s.state === "busy").length}/${agent.sessions.length} up`),
            h("td", { "data-held": held(agent) }, held(agent) || "—"),
          ),
        ),
      ),
    ),
    h("h2", null, "Throughput, last hour"),
    error ? h("p", { class: "error", role: "alert" }, error) : null,
    throughput ? h(Charts, { throughput }) : error ? null : h("p", { class: "muted" }, "Loading…"),
  );
}

function Charts(props: { throughput: Throughput }): ComponentChild {
  const { buckets } = props.throughput;
  const labels = buckets.map((b) => clock(b.at));
  const sum = (key: "completed" | "failed" | "cancelled") => buckets.reduce((total, b) => total + b[key], 0);
  const waits = buckets.filter((b) => b.meanWaitMs !== null);
  const started = waits.reduce((total, b) => total + b.completed + b.failed, 0);
  const meanWait = started === 0 ? null : waits.reduce((total, b) => total + (b.meanWaitMs ?? 0) * (b.completed + b.failed), 0) / started;
  return h(
    "div",
    { class: "charts", "data-throughput": sum("completed") + sum("failed") + sum("cancelled") },
    h(
      "p",
      { "data-summary": "" },
      `${sum("completed")} completed, ${sum("failed")} failed or timed out, ${sum("cancelled")} cancelled or refused`,
      meanWait === null ? "" : `; mean wait before start ${Math.round(meanWait)} ms`,
    ),
    h("h3", null, "Finished tasks per minute"),
    h(BarChart, {
      label: "finished tasks per minute over the last hour",
      unit: "tasks",
      labels,
      series: [
        { name: "completed", class: "bar-ok", values: buckets.map((b) => b.completed) },
        { name: "failed", class: "bar-bad", values: buckets.map((b) => b.failed) },
        { name: "cancelled", class: "bar-muted", values: buckets.map((b) => b.cancelled) },
      ],
    }),
    h("h3", null, "Mean wait from submission to start"),
    h(BarChart, {
      label: "mean wait before start per minute over the last hour",
      unit: "ms",
      labels,
      series: [{ name: "mean wait (ms)", class: "bar-accent", values: buckets.map((b) => b.meanWaitMs ?? 0) }],
    }),
  );
}

function held(agent: AgentView): string {
  const reasons: string[] = [];
  if (agent.paused) reasons.push("paused");
  if (agent.parkedUntil)
    reasons.push(`parked${agent.parkedHosts ? ` on ${agent.parkedHosts.join(", ")}` : ""} until ${clock(agent.parkedUntil)} (usage limit)`);
  if (agent.breaker) {
    const where = agent.breaker.hosts ? ` on ${agent.breaker.hosts.join(", ")}` : "";
    reasons.push(`breaker ${agent.breaker.state}${where} until ${clock(agent.breaker.until)}: ${agent.breaker.reason}`);
  }
  return reasons.join("; ");
}

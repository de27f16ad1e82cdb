/** The control plane's part of BENCHMARKS.md: its rows of the targets table and its details section. */
import { type ApiFigures, sseCostPct, sseCostsPct } from "./api.js";
import { ms, pct, targetsTable, verdict, type Summary } from "./stats.js";

/** API submit → result p50 minus the SDK's (ms). */
export const apiGapMs = (api: ApiFigures): number => api.submit.api.p50 - api.submit.sdk.p50;

const cpuIn = (burst: { cpuS: number; wallS: number }): string => `${burst.cpuS.toFixed(2)} s of CPU in ${burst.wallS.toFixed(1)} s`;
const signed = (value: number): string => `${value >= 0 ? "+" : "−"}${ms(Math.abs(value))}`;

/** Rows of the "Against the targets" table (Measure | Ours | Baseline | Peer-style | Target | Verdict). */
export function apiTargetRows(api: ApiFigures): string[] {
  const { submit, sse, metrics } = api;
  const cost = sseCostPct(sse);
  return [
    `| API submit → result of \`true\`, p50: one request (\`POST /v1/tasks?wait=\`) beside the SDK's | ${ms(submit.api.p50)} (SDK ${ms(submit.sdk.p50)}: ${signed(apiGapMs(api))}) | — | — | within 1 ms of the SDK's | ${verdict(apiGapMs(api) <= 1)} |`,
    `| SSE fan-out to ${sse.clients} clients during a ${sse.tasks.toLocaleString("en-US")}-task burst, daemon CPU | ${pct(cost)} of a core | — | — | < 5 % of a core | ${verdict(cost < 5)} |`,
    `| \`GET /metrics\` with ${metrics.agents} agents, p50 (scrapes 1.1 s apart: each reads the gauges) | ${ms(metrics.cold.p50)} (p95 ${ms(metrics.cold.p95)}) | — | — | < 10 ms | ${verdict(metrics.cold.p50 < 10)} |`,
  ];
}

/** The details section: how each figure was measured, and the samples. */
export function apiDetails(api: ApiFigures): string[] {
  const { submit, sse, metrics } = api;
  const row = (name: string, s: Summary): string =>
    `| ${name} | ${s.n} | ${ms(s.min)} | ${ms(s.mean)} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} |`;
  return [
    "### Control plane (HTTP API)",
    "",
    `A swarm of one shell agent × ${api.replicas} replicas whose daemon serves the API on loopback (scripts/bench/api.ts); this process is the client (node:http, keep-alive connections, the first token).`,
    "",
    `**Submit → result of \`true\`**, one task at a time, three ways in turns (each turn starting with another), ${submit.sdk.n} timed each after 20 warm-up ones: the SDK in this process (\`swarm.submit\`, \`handle.result()\`: its own Redis connections, its own wait on the event stream); the API in one request, \`POST /v1/tasks?wait=30\` (the daemon submits, and its wait settles as soon as its own bridge records the task's end, from the record read back in that transaction: no blocking read of the event stream, no second read of the record; core/task-ends.ts); and, for comparison, the API in two requests, \`POST /v1/tasks\` then \`GET /v1/tasks/{id}/result?wait=30\`. The API's extra is one HTTP exchange (the request parsed, the token checked, the body validated, the answer written) on the daemon's event loop, which also runs the bridge that dispatches the task; what it saves is that round trip through the stream. The task's command is checked by the policy on either way: by the submitting process (the SDK here, the daemon for the API) and by the bridge, each answering a command it has checked before from the verdicts it keeps (core/policy/verdicts.ts), so a repeated \`true\` is parsed once per process. API p50 − SDK p50: ${signed(apiGapMs(api))}; the median of the turns' own differences (API − SDK of the same turn, less sensitive to a load that drifts): ${signed(submit.pairedMedianMs)}; two requests: ${signed(submit.twoRequests.p50 - submit.sdk.p50)}.`,
    "",
    "| | n | min | mean | p50 | p95 | p99 | max |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    row("SDK", submit.sdk),
    row("API, `POST /v1/tasks?wait=` (one request)", submit.api),
    row("API, `POST` then `GET …/result?wait=` (two requests)", submit.twoRequests),
    "",
    `**SSE fan-out.** Bursts of ${sse.tasks} \`true\` tasks submitted at once through the SDK, in turn without SSE clients and with ${sse.clients} clients reading \`GET /v1/events\` (unfiltered: every event of the burst to every client; they connect before their burst and disconnect after it), ${sse.withClients.length} rounds with clients, each between two without; the daemon's CPU (utime + stime from /proc, the process that runs the API) during each. A round's cost is its burst's CPU minus the mean of its two neighbours' (the load of a shared machine drifts by more than the cost measured), over its wall time; the figure is the median of the rounds'. ${sse.events.toLocaleString("en-US")} events delivered in all. In a burst the hub sends events in batches at most every 100 ms, one write per client per batch, its frames built once for all clients.`,
    "",
    "| round | without, before | with clients | without, after | cost |",
    "| --- | --- | --- | --- | --- |",
    ...sse.withClients.map(
      (burst, i) => `| ${i + 1} | ${cpuIn(sse.without[i]!)} | ${cpuIn(burst)} | ${cpuIn(sse.without[i + 1]!)} | ${pct(sseCostsPct(sse)[i]!)} of a core |`,
    ),
    "",
    `**\`GET /metrics\`** on a swarm of ${metrics.agents} shell agents, timed from the request to the answer's last byte at this client: ${metrics.cold.n} scrapes 1.1 s apart, each of which reads the gauges (queue depths, sessions, breakers, parking, Redis round trip) from Redis as a scraper polling every second or slower (Prometheus: every 15 s) finds them; then ${metrics.warm.n} back to back, which reuse the gauges read in the last second (their text is made once per read).`,
    "",
    "| | n | min | mean | p50 | p95 | p99 | max |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    row("scrapes 1.1 s apart (reading the gauges)", metrics.cold),
    row("scrapes back to back", metrics.warm),
    "",
  ];
}

/** BENCH_ONLY=api: the rows of the targets table, as text. */
export function apiSummary(api: ApiFigures): string {
  return targetsTable(apiTargetRows(api));
}

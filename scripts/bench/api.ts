/**
 * The control plane's figures (issue 13), each measured against a real
 * daemon in a temp home:
 *  - submit → result of `true` through the HTTP API in one request
 *    (`POST /v1/tasks?wait=`), against the SDK's in the same swarm, and the
 *    two-request way (POST, then a long-poll GET) for information, in turns;
 *  - the daemon's CPU for a 1,000-task burst with 100 SSE clients connected,
 *    against the same burst with none before and after it (the difference
 *    from their mean is the fan-out's cost);
 *  - GET /metrics with 64 agents.
 *
 * Part of the full run (BENCHMARKS.md: api-report.ts);
 *   BENCH_ONLY=api npm run bench        prints them alone (BENCH_QUICK=1: smaller)
 */
import { Agent, request } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Cleanups } from "./cleanup.js";
import { clockTicks, readStat } from "./procfs.js";
import { describe, ms, pct, summarize, type Summary } from "./stats.js";
import { AGENT, startBenchSwarm, type BenchSwarm } from "./swarm.js";

type Say = (line: string) => void;

export interface ApiFigures {
  readonly replicas: number;
  /** Submit → result of `true`, one at a time, the three ways in turns (their order rotating). */
  readonly submit: {
    readonly sdk: Summary;
    /** `POST /v1/tasks?wait=30`: one request. */
    readonly api: Summary;
    /** `POST /v1/tasks`, then `GET /v1/tasks/{id}/result?wait=30`. */
    readonly twoRequests: Summary;
    /** Median of each turn's API time minus its SDK time: less sensitive to a drifting load than the difference of two p50s. */
    readonly pairedMedianMs: number;
  };
  readonly sse: {
    readonly clients: number;
    readonly tasks: number;
    readonly before: Burst;
    readonly withClients: Burst;
    readonly after: Burst;
    readonly events: number;
  };
  readonly metrics: { readonly agents: number; readonly cold: Summary; readonly warm: Summary };
}

interface Burst {
  readonly cpuS: number;
  readonly wallS: number;
}

/** The fan-out's cost: the burst with clients against the mean of those without, in % of a core over its wall time. */
export function sseCostPct(sse: ApiFigures["sse"]): number {
  const extra = sse.withClients.cpuS - (sse.before.cpuS + sse.after.cpuS) / 2;
  return (100 * extra) / sse.withClients.wallS;
}
const API_YAML = (agents: string) => `${agents}api:\n  listen: 127.0.0.1:0\n  rate_limit: 10000000\n`;

interface Api {
  readonly url: URL;
  readonly token: string;
  readonly agent: Agent;
}

function apiOf(swarm: BenchSwarm): Api {
  const run = JSON.parse(readFileSync(join(swarm.paths.runDir, "api.json"), "utf8")) as { url: string };
  return { url: new URL(run.url), token: readFileSync(join(swarm.home, "api.token"), "utf8").trim(), agent: new Agent({ keepAlive: true, maxSockets: 256 }) };
}

function http(api: Api, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        agent: api.agent,
        host: api.url.hostname,
        port: api.url.port,
        method,
        path,
        headers: { authorization: `Bearer ${api.token}`, ...(data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, json: text.startsWith("{") ? JSON.parse(text) : null, text });
        });
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

async function submitToResult(swarm: BenchSwarm, api: Api, rounds: number): Promise<ApiFigures["submit"]> {
  const sdk = await swarm.sdk();
  const ways: Record<"sdk" | "api" | "twoRequests", () => Promise<{ id: string; status: string }>> = {
    sdk: async () => {
      const handle = await sdk.submit({ task: "true", agent: AGENT });
      return { id: handle.id, status: (await handle.result()).status };
    },
    api: async () => {
      const reply = await http(api, "POST", "/v1/tasks?wait=30", { task: "true", agent: AGENT });
      return { id: reply.json?.id, status: reply.json?.status ?? reply.text };
    },
    twoRequests: async () => {
      const posted = await http(api, "POST", "/v1/tasks", { task: "true", agent: AGENT });
      const got = await http(api, "GET", `/v1/tasks/${posted.json.id}/result?wait=30`);
      return { id: posted.json.id, status: got.json?.status ?? got.text };
    },
  };
  const names = Object.keys(ways) as (keyof typeof ways)[];
  for (const name of names) for (let i = 0; i < 20; i++) await ways[name](); // warm-up
  const samples: Record<keyof typeof ways, number[]> = { sdk: [], api: [], twoRequests: [] };
  for (let i = 0; i < rounds; i++) {
    // Each turn starts with another way, so none always follows the same one.
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length]!;
      const t0 = performance.now();
      const ended = await ways[name]();
      samples[name].push(performance.now() - t0);
      if (ended.status !== "completed") throw new Error(`${name}: task ${ended.id} ended ${ended.status}`);
    }
  }
  const paired = samples.api.map((value, i) => value - samples.sdk[i]!).sort((a, b) => a - b);
  const figures = {
    sdk: summarize(samples.sdk),
    api: summarize(samples.api),
    twoRequests: summarize(samples.twoRequests),
    pairedMedianMs: paired[Math.floor(paired.length / 2)]!,
  };
  say(`submit → result of \`true\`, SDK:                             ${describe(figures.sdk)}`);
  say(`submit → result of \`true\`, API, POST ?wait= (one request):   ${describe(figures.api)}`);
  say(`submit → result of \`true\`, API, POST then GET ?wait=:        ${describe(figures.twoRequests)}`);
  say(
    `  API p50 − SDK p50 = ${ms(figures.api.p50 - figures.sdk.p50)} (target: within 1 ms); median of the turns' differences ${ms(figures.pairedMedianMs)}; two requests: ${ms(figures.twoRequests.p50 - figures.sdk.p50)}`,
  );
  return figures;
}

/** CPU seconds of the daemon process (it runs the API). */
const daemonCpu = (swarm: BenchSwarm): number => (readStat(swarm.daemon.pid!)?.cpu ?? 0) / clockTicks();

async function burst(swarm: BenchSwarm, count: number): Promise<Burst> {
  const sdk = await swarm.sdk();
  const cpu0 = daemonCpu(swarm);
  const t0 = performance.now();
  const handles = await Promise.all(Array.from({ length: count }, () => sdk.submit({ task: "true", agent: AGENT })));
  await Promise.all(handles.map((h) => h.result()));
  return { cpuS: daemonCpu(swarm) - cpu0, wallS: (performance.now() - t0) / 1000 };
}

async function sseFanOut(swarm: BenchSwarm, api: Api, clients: number, tasks: number): Promise<ApiFigures["sse"]> {
  // No clients before and after the burst with clients: the machine's load drifts, and their mean is the baseline.
  const before = await burst(swarm, tasks);
  let received = 0;
  const sockets: { destroy(): void }[] = [];
  const sseAgent = new Agent({ keepAlive: false, maxSockets: clients + 10 });
  await Promise.all(
    Array.from(
      { length: clients },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = request(
            { agent: sseAgent, host: api.url.hostname, port: api.url.port, path: "/v1/events", headers: { authorization: `Bearer ${api.token}` } },
            (res) => {
              res.on("data", (chunk: Buffer) => (received += chunk.toString().match(/^id: /gm)?.length ?? 0));
              sockets.push(res.socket);
              resolve();
            },
          );
          req.on("error", reject);
          req.end();
        }),
    ),
  );
  const withClients = await burst(swarm, tasks);
  for (const socket of sockets) socket.destroy();
  const after = await burst(swarm, tasks);
  const figures = { clients, tasks, before, withClients, after, events: received };
  say(
    `${tasks}-task burst, daemon CPU: ${before.cpuS.toFixed(2)} s and ${after.cpuS.toFixed(2)} s with no SSE client (${before.wallS.toFixed(1)} s, ${after.wallS.toFixed(1)} s), ${withClients.cpuS.toFixed(2)} s with ${clients} (${withClients.wallS.toFixed(1)} s); ${received} events delivered`,
  );
  say(`  fan-out cost: ${pct(sseCostPct(figures))} of a core (target: < 5 %)`);
  return figures;
}

async function metricsRender(cleanups: Cleanups, agents: number, rounds: number, coldRounds: number): Promise<ApiFigures["metrics"]> {
  const roster = Array.from({ length: agents }, (_, i) => `  - name: a${i}\n    runtime: shell\n`).join("");
  const swarm = await startBenchSwarm(agents, cleanups, API_YAML(`agents:\n${roster}`));
  try {
    const api = apiOf(swarm);
    for (let i = 0; i < 10; i++) await http(api, "GET", "/metrics");
    // A scraper polling every second or slower (Prometheus: every 15 s) finds the gauges read from Redis
    // more than a second ago: its scrape reads them again. Scrapes back to back share one read.
    const cold: number[] = [];
    for (let i = 0; i < coldRounds; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      cold.push(await scrape(api));
    }
    const warm: number[] = [];
    for (let i = 0; i < rounds; i++) warm.push(await scrape(api));
    const figures = { agents, cold: summarize(cold), warm: summarize(warm) };
    say(`GET /metrics with ${agents} agents, 1.1 s apart (each reads the gauges): ${describe(figures.cold)} (target: < 10 ms)`);
    say(`  back to back (the gauges of the last second): ${describe(figures.warm)}`);
    return figures;
  } finally {
    await swarm.stop();
  }
}

async function scrape(api: Api): Promise<number> {
  const t0 = performance.now();
  const reply = await http(api, "GET", "/metrics");
  const elapsed = performance.now() - t0;
  if (reply.status !== 200) throw new Error(`/metrics answered ${reply.status}`);
  return elapsed;
}

/** The three figures, printed through `say` as they are measured. */
export async function measureApiFigures(quick: boolean, cleanups: Cleanups, print: Say): Promise<ApiFigures> {
  say = print;
  const replicas = 8;
  say(`\ncontrol plane (API): a swarm of 1 shell agent × ${replicas} replicas, then one of 64 agents for /metrics`);
  const swarm = await startBenchSwarm(
    replicas,
    cleanups,
    API_YAML(`agents:\n  - name: ${AGENT}\n    runtime: shell\n    replicas: ${replicas}\n    timeout: 120\n`),
  );
  let submit: ApiFigures["submit"];
  let sse: ApiFigures["sse"];
  try {
    const api = apiOf(swarm);
    submit = await submitToResult(swarm, api, quick ? 50 : 200);
    sse = await sseFanOut(swarm, api, 100, quick ? 300 : 1000);
  } finally {
    await swarm.stop();
  }
  const metrics = await metricsRender(cleanups, 64, quick ? 30 : 100, quick ? 10 : 30);
  return { replicas, submit, sse, metrics };
}

let say: Say = () => undefined;

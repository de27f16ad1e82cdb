/**
 * The control plane's figures (issue 13), each measured against a real
 * daemon in a temp home:
 *  - submit → result of `true` through the HTTP API in one request
 *    (`POST /v1/tasks?wait=`), against the SDK's in the same swarm, and the
 *    two-request way (POST, then a long-poll GET) for information, in turns;
 *  - the daemon's CPU for a 1,000-task burst with 100 SSE clients connected,
 *    against the same burst with none just before and just after it (the
 *    difference from their mean is that round's fan-out cost; the figure is
 *    the median of three rounds);
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
    /** Bursts with no SSE client, one more than `withClients`: one before each burst with clients, and one after the last. */
    readonly without: readonly Burst[];
    /** Bursts with the clients connected, each between two of `without`. */
    readonly withClients: readonly Burst[];
    /** Events the clients received, over all their bursts. */
    readonly events: number;
  };
  readonly metrics: { readonly agents: number; readonly cold: Summary; readonly warm: Summary };
}

interface Burst {
  readonly cpuS: number;
  readonly wallS: number;
}

/**
 * The fan-out's cost in each burst with clients: its daemon CPU minus the mean of the bursts without
 * clients just before and just after it, in % of a core over its wall time.
 */
export function sseCostsPct(sse: ApiFigures["sse"]): number[] {
  return sse.withClients.map((burst, i) => {
    const extra = burst.cpuS - (sse.without[i]!.cpuS + sse.without[i + 1]!.cpuS) / 2;
    return (100 * extra) / burst.wallS;
  });
}

/** The fan-out's cost: the median of the rounds' own costs (a drifting load moves single rounds by more than the cost). */
export function sseCostPct(sse: ApiFigures["sse"]): number {
  const costs = [...sseCostsPct(sse)].sort((a, b) => a - b);
  const mid = Math.floor(costs.length / 2);
  return costs.length % 2 === 1 ? costs[mid]! : (costs[mid - 1]! + costs[mid]!) / 2;
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

async function sseFanOut(swarm: BenchSwarm, api: Api, clients: number, tasks: number, rounds: number): Promise<ApiFigures["sse"]> {
  // Bursts without clients before and after each one with them: the machine's load drifts by more than the cost
  // measured, so each round with clients is set against its two neighbours, and the rounds' median is the figure.
  // One burst not counted first: the first burst after the submit timings ran costs the daemon more (0.5-2 s of
  // CPU more than the next one without clients, in runs of this bench), which would read as the clients' saving.
  await burst(swarm, tasks);
  const without: Burst[] = [await burst(swarm, tasks)];
  const withClients: Burst[] = [];
  let events = 0;
  for (let round = 0; round < rounds; round++) {
    const readers = await connectReaders(api, clients);
    withClients.push(await burst(swarm, tasks));
    events += readers.close();
    without.push(await burst(swarm, tasks));
  }
  const figures = { clients, tasks, without, withClients, events };
  const costs = sseCostsPct(figures);
  for (const [i, burst] of withClients.entries()) {
    say(
      `${tasks}-task burst with ${clients} SSE clients: daemon CPU ${burst.cpuS.toFixed(2)} s in ${burst.wallS.toFixed(1)} s; without: ${without[i]!.cpuS.toFixed(2)} s before, ${without[i + 1]!.cpuS.toFixed(2)} s after: ${pct(costs[i]!)} of a core`,
    );
  }
  say(`  fan-out cost, median of ${rounds} rounds: ${pct(sseCostPct(figures))} of a core (target: < 5 %); ${events} events delivered`);
  return figures;
}

/**
 * `clients` SSE readers of every event, connected before this returns. They count frames by scanning the
 * bytes for `id: ` at a line start (no decoding), so that what they do on this machine's cores stays small.
 */
async function connectReaders(api: Api, clients: number): Promise<{ close(): number }> {
  let received = 0;
  const sockets: { destroy(): void }[] = [];
  const sseAgent = new Agent({ keepAlive: false, maxSockets: clients + 10 });
  const marker = Buffer.from("\nid: ");
  await Promise.all(
    Array.from(
      { length: clients },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = request(
            { agent: sseAgent, host: api.url.hostname, port: api.url.port, path: "/v1/events", headers: { authorization: `Bearer ${api.token}` } },
            (res) => {
              // A frame's `id:` follows the blank line that ends the one before it; a chunk boundary may split one.
              let tail: Buffer = Buffer.alloc(0);
              res.on("data", (chunk: Buffer) => {
                const data = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
                for (let at = data.indexOf(marker); at !== -1; at = data.indexOf(marker, at + 1)) received++;
                tail = data.subarray(Math.max(0, data.length - (marker.length - 1)));
              });
              sockets.push(res.socket);
              resolve();
            },
          );
          req.on("error", reject);
          req.end();
        }),
    ),
  );
  return {
    close() {
      for (const socket of sockets) socket.destroy();
      sseAgent.destroy();
      return received;
    },
  };
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
    sse = await sseFanOut(swarm, api, 100, quick ? 300 : 1000, quick ? 2 : 3);
  } finally {
    await swarm.stop();
  }
  const metrics = await metricsRender(cleanups, 64, quick ? 30 : 100, quick ? 10 : 30);
  return { replicas, submit, sse, metrics };
}

let say: Say = () => undefined;

/**
 * The control plane's figures (issue 13), each measured against a real
 * daemon in a temp home:
 *  - submit → result of `true` through the HTTP API (POST, then a long-poll
 *    GET), against the SDK's in the same swarm, alternating;
 *  - the daemon's CPU for a 1,000-task burst with 100 SSE clients connected,
 *    against the same burst with none before and after it (the difference
 *    from their mean is the fan-out's cost);
 *  - GET /metrics with 64 agents.
 *
 *   BENCH_ONLY=api npm run bench        (BENCH_QUICK=1: smaller)
 */
import { Agent, request } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Cleanups } from "./cleanup.js";
import { clockTicks, readStat } from "./procfs.js";
import { describe, ms, pct, summarize } from "./stats.js";
import { AGENT, startBenchSwarm, type BenchSwarm } from "./swarm.js";

type Say = (line: string) => void;
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

async function submitToResult(swarm: BenchSwarm, api: Api, rounds: number): Promise<void> {
  const sdk = await swarm.sdk();
  const viaSdk: number[] = [];
  const viaApi: number[] = [];
  for (let i = 0; i < 20; i++) await (await sdk.submit({ task: "true", agent: AGENT })).result(); // warm-up
  for (let i = 0; i < 20; i++)
    await http(api, "GET", `/v1/tasks/${(await http(api, "POST", "/v1/tasks", { task: "true", agent: AGENT })).json.id}/result?wait=30`);
  for (let i = 0; i < rounds; i++) {
    let t0 = performance.now();
    const handle = await sdk.submit({ task: "true", agent: AGENT });
    const result = await handle.result();
    viaSdk.push(performance.now() - t0);
    if (result.status !== "completed") throw new Error(`sdk task ${handle.id} ended ${result.status}`);
    t0 = performance.now();
    const posted = await http(api, "POST", "/v1/tasks", { task: "true", agent: AGENT });
    const got = await http(api, "GET", `/v1/tasks/${posted.json.id}/result?wait=30`);
    viaApi.push(performance.now() - t0);
    if (got.json?.status !== "completed") throw new Error(`api task ${posted.json?.id} ended ${got.text}`);
  }
  const s = summarize(viaSdk);
  const a = summarize(viaApi);
  say(`submit → result of \`true\`, SDK: ${describe(s)}`);
  say(`submit → result of \`true\`, API: ${describe(a)}`);
  say(`  API p50 − SDK p50 = ${ms(a.p50 - s.p50)} (target: within 1 ms)`);
}

/** CPU seconds of the daemon process (it runs the API). */
const daemonCpu = (swarm: BenchSwarm): number => (readStat(swarm.daemon.pid!)?.cpu ?? 0) / clockTicks();

async function burst(swarm: BenchSwarm, count: number): Promise<{ cpuS: number; wallS: number }> {
  const sdk = await swarm.sdk();
  const cpu0 = daemonCpu(swarm);
  const t0 = performance.now();
  const handles = await Promise.all(Array.from({ length: count }, () => sdk.submit({ task: "true", agent: AGENT })));
  await Promise.all(handles.map((h) => h.result()));
  return { cpuS: daemonCpu(swarm) - cpu0, wallS: (performance.now() - t0) / 1000 };
}

async function sseFanOut(swarm: BenchSwarm, api: Api, clients: number, tasks: number): Promise<void> {
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
  const extra = withClients.cpuS - (before.cpuS + after.cpuS) / 2;
  say(
    `${tasks}-task burst, daemon CPU: ${before.cpuS.toFixed(2)} s and ${after.cpuS.toFixed(2)} s with no SSE client (${before.wallS.toFixed(1)} s, ${after.wallS.toFixed(1)} s), ${withClients.cpuS.toFixed(2)} s with ${clients} (${withClients.wallS.toFixed(1)} s); ${received} events delivered`,
  );
  say(`  fan-out cost: ${extra.toFixed(2)} CPU s over ${withClients.wallS.toFixed(1)} s = ${pct((100 * extra) / withClients.wallS)} of a core (target: < 5 %)`);
}

async function metricsRender(cleanups: Cleanups, agents: number, rounds: number, coldRounds: number): Promise<void> {
  const roster = Array.from({ length: agents }, (_, i) => `  - name: a${i}\n    runtime: shell\n`).join("");
  const swarm = await startBenchSwarm(agents, cleanups, API_YAML(`agents:\n${roster}`));
  try {
    const api = apiOf(swarm);
    for (let i = 0; i < 10; i++) await http(api, "GET", "/metrics");
    const samples: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const reply = await http(api, "GET", "/metrics");
      samples.push(performance.now() - t0);
      if (reply.status !== 200) throw new Error(`/metrics answered ${reply.status}`);
    }
    say(`GET /metrics with ${agents} agents: ${describe(summarize(samples))} (target: < 10 ms)`);
    // Back to back, most scrapes above reuse the gauges read from Redis in the last second; a scraper
    // polling every second or slower (Prometheus: 15 s) pays for that read on every scrape.
    const cold: number[] = [];
    for (let i = 0; i < coldRounds; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const t0 = performance.now();
      await http(api, "GET", "/metrics");
      cold.push(performance.now() - t0);
    }
    say(`  1.1 s apart (each reads the gauges): ${describe(summarize(cold))}`);
  } finally {
    await swarm.stop();
  }
}

/** The three figures, printed through `say` (BENCHMARKS.md is left as it is). */
export async function measureApiFigures(quick: boolean, cleanups: Cleanups, print: Say): Promise<void> {
  say = print;
  say(`\ncontrol plane (API): a swarm of 1 shell agent × 8 replicas, then one of 64 agents for /metrics`);
  const swarm = await startBenchSwarm(8, cleanups, API_YAML(`agents:\n  - name: ${AGENT}\n    runtime: shell\n    replicas: 8\n    timeout: 120\n`));
  try {
    const api = apiOf(swarm);
    await submitToResult(swarm, api, quick ? 50 : 200);
    await sseFanOut(swarm, api, 100, quick ? 300 : 1000);
  } finally {
    await swarm.stop();
  }
  await metricsRender(cleanups, 64, quick ? 30 : 100, quick ? 5 : 20);
}

let say: Say = () => undefined;

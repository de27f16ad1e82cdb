/**
 * The Prometheus metrics (prom-client, a registry of our own). Counters and
 * histograms of tasks come from the event stream as the hub reads it (so
 * they count since this daemon started, as Prometheus counters do); gauges of
 * queues, sessions, breakers and Redis are read when /metrics is scraped, at
 * most once a second (the swarm's status: one pipelined read, client/status.ts)
 * and written as text (gauges.ts): scrapes within GAUGE_MAX_AGE_MS of a read
 * (or while one is under way) share it.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { isTerminal, type SwarmEvent, type TaskRecord } from "../../core/index.js";
import type { SwarmClient } from "../../client/index.js";
import type { SseStats } from "../events/sse.js";
import { clientInternals } from "../../client/index.js";
import { type GaugeRead, gaugeText } from "./gauges.js";

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];
/** How old the gauges read from Redis may be when a scrape renders them; Prometheus scrapes every 15 s by default. */
const GAUGE_MAX_AGE_MS = 1000;
/** Submission times remembered for dispatch latency; a task never started is forgotten past this many. */
const MAX_PENDING = 100_000;

export class ApiMetrics {
  readonly registry = new Registry();
  readonly sse: SseStats;
  private readonly submittedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  /** Records of tasks this process ended, told before their terminal event reaches `observe`: no read for them. */
  private readonly endedHere = new Map<string, TaskRecord>();
  private readonly unlisten: () => void;
  private gaugesReadAt = Number.NEGATIVE_INFINITY;
  private gaugesReading: Promise<void> | null = null;
  private lastRead: GaugeRead = { status: null, redisUp: false, redisRoundTripSeconds: null };
  /** The gauges read from Redis, as text (gauges.ts). */
  private gauges = "";

  private readonly tasks = new Counter({
    name: "claude_agent_tasks_total",
    help: "Tasks that reached a status (submitted, started, or a terminal one) since the daemon started",
    labelNames: ["agent", "status"],
    registers: [this.registry],
  });
  /** Apart from claude_agent_tasks_total, whose series keep their labels: a submission has no host yet. */
  private readonly hostTasks = new Counter({
    name: "claude_agent_host_tasks_total",
    help: "Tasks that started or reached a terminal status on a host (swarms with hosts:) since the daemon started",
    labelNames: ["host", "status"],
    registers: [this.registry],
  });
  private readonly dispatch = new Histogram({
    name: "claude_agent_dispatch_latency_seconds",
    help: "Submission to start of a task",
    labelNames: ["agent", "host"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: "claude_agent_task_duration_seconds",
    help: "Start to terminal state of a task",
    labelNames: ["agent", "host", "status"],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly completion = new Histogram({
    name: "claude_agent_completion_latency_seconds",
    help: "End of a task's run (its command or program) to its result being recorded",
    labelNames: ["agent", "host"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: "claude_agent_tokens_total",
    help: "Model tokens agent programs reported",
    labelNames: ["agent", "host", "kind"],
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: "claude_agent_cost_usd_total",
    help: "Cost agent programs reported, in US dollars",
    labelNames: ["agent", "host"],
    registers: [this.registry],
  });
  private readonly requests = new Counter({
    name: "claude_agent_api_requests_total",
    help: "API requests by route, method and status code",
    labelNames: ["route", "method", "code"],
    registers: [this.registry],
  });
  private readonly requestTime = new Histogram({
    name: "claude_agent_api_request_duration_seconds",
    help: "API request duration by route",
    labelNames: ["route", "method"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly streams = new Gauge({ name: "claude_agent_api_event_streams", help: "Open SSE and WebSocket event streams", registers: [this.registry] });
  private readonly dropped = new Counter({
    name: "claude_agent_api_event_streams_dropped_total",
    help: "Event stream clients dropped, by reason",
    labelNames: ["reason"],
    registers: [this.registry],
  });

  constructor(private readonly client: SwarmClient) {
    this.unlisten =
      clientInternals(client).ledger.ends?.listen((record) => {
        if (this.endedHere.size >= MAX_PENDING) this.endedHere.delete(this.endedHere.keys().next().value!);
        this.endedHere.set(record.id, record);
      }) ?? (() => undefined);
    this.sse = {
      opened: () => this.streams.inc(),
      closed: () => this.streams.dec(),
      dropped: (reason) => this.dropped.inc({ reason }),
    };
  }

  /** Stops listening for tasks ended in this process (idempotent). */
  close(): void {
    this.unlisten();
    this.endedHere.clear();
  }

  request(route: string, method: string, code: number, seconds: number): void {
    this.requests.inc({ route, method, code: String(code) });
    this.requestTime.observe({ route, method }, seconds);
  }

  /** Feeds the task counters and histograms from a batch of stream events. */
  observe(events: readonly SwarmEvent[]): void {
    for (const event of events) {
      if (!event.taskId || !event.agent || !event.type.startsWith("task.")) continue;
      const at = Date.parse(event.at);
      const status = event.type.slice("task.".length);
      if (status === "retrying") continue;
      this.tasks.inc({ agent: event.agent, status });
      if (event.host && status !== "submitted") this.hostTasks.inc({ host: event.host, status });
      if (status === "submitted") remember(this.submittedAt, event.taskId, at);
      else if (status === "started") {
        const submitted = this.submittedAt.get(event.taskId);
        if (submitted !== undefined && !this.startedAt.has(event.taskId)) this.dispatch.observe(withHost(event.agent, event.host), (at - submitted) / 1000);
        remember(this.startedAt, event.taskId, at);
      } else if (isTerminal(status)) {
        const started = this.startedAt.get(event.taskId);
        if (started !== undefined) this.duration.observe({ ...withHost(event.agent, event.host), status }, (at - started) / 1000);
        this.submittedAt.delete(event.taskId);
        this.startedAt.delete(event.taskId);
        const here = this.endedHere.get(event.taskId);
        this.endedHere.delete(event.taskId);
        if (here) this.countResult(here);
        else void this.recordResult(event.taskId).catch(() => undefined); // an unreadable record leaves one task out of the counters
      }
    }
  }

  /** Reads the gauges (unless a read under a second old or under way serves), then renders the text format. */
  async render(): Promise<string> {
    if (performance.now() - this.gaugesReadAt >= GAUGE_MAX_AGE_MS) {
      this.gaugesReading ??= this.readGauges().finally(() => {
        this.gaugesReading = null;
      });
      await this.gaugesReading;
    }
    return `${await this.registry.metrics()}${this.gauges}`;
  }

  private async readGauges(): Promise<void> {
    const started = performance.now();
    const redisUp = await this.client.ping().then(
      () => true,
      () => false,
    );
    if (redisUp) this.lastRead = { redisUp, redisRoundTripSeconds: (performance.now() - started) / 1000, status: await this.client.status() };
    else this.lastRead = { ...this.lastRead, redisUp };
    this.gauges = gaugeText(this.lastRead);
    this.gaugesReadAt = performance.now();
  }

  private async recordResult(id: string): Promise<void> {
    const record: TaskRecord | null = await clientInternals(this.client).ledger.get(id);
    if (record) this.countResult(record);
  }

  /** Tokens, cost and completion latency of an ended task. */
  private countResult(record: TaskRecord): void {
    const labels = withHost(record.agent, record.host);
    if (record.inputTokens) this.tokens.inc({ ...labels, kind: "input" }, record.inputTokens);
    if (record.outputTokens) this.tokens.inc({ ...labels, kind: "output" }, record.outputTokens);
    if (record.costUsd) this.cost.inc(labels, record.costUsd);
    if (record.startedAt && record.finishedAt && record.durationMs !== null) {
      const ranUntil = Date.parse(record.startedAt) + record.durationMs;
      const lag = (Date.parse(record.finishedAt) - ranUntil) / 1000;
      if (lag >= 0) this.completion.observe(labels, lag);
    }
  }
}

/**
 * A task's agent, and its host in a swarm with `hosts:`. Without hosts the series keep the one label they always
 * had (prom-client leaves out a label not given), so a single-host swarm's dashboards and alerts see no change.
 */
function withHost(agent: string, host: string | null | undefined): { agent: string; host?: string } {
  return host ? { agent, host } : { agent };
}

function remember(map: Map<string, number>, key: string, value: number): void {
  if (map.size >= MAX_PENDING) map.delete(map.keys().next().value!);
  map.set(key, value);
}

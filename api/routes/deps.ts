import type { ApiConfig, LogFn, SwarmConfig } from "../../core/index.js";
import type { TokenStore } from "../auth/tokens.js";
import type { LocalControl } from "../control/local.js";
import { DEFAULT_COALESCE_MS, type EventHub } from "../events/hub.js";
import type { HealthCheck } from "../health.js";
import type { HistoryReader } from "../schemas/history.js";
import type { IdempotencyGuard } from "../http/idempotency.js";
import type { ApiMetrics } from "../metrics/metrics.js";

/** What the routes are built from; created once per server (server.ts). */
export interface ApiDeps {
  readonly control: LocalControl;
  readonly tokens: TokenStore;
  readonly idempotency: IdempotencyGuard;
  readonly hub: EventHub;
  readonly health: HealthCheck;
  readonly metrics: ApiMetrics;
  readonly api: ApiConfig;
  readonly swarm: SwarmConfig;
  /** Bounds of the event streams (tests shrink them). */
  readonly streams: StreamLimits;
  /** The home's output folder: task outputs and flight recordings (`<id>.cast`). */
  readonly outputDir: string;
  /** The durable history (GET /v1/history/…); null when the daemon has none to read. */
  readonly history: HistoryReader | null;
  /** The daemon's log: what fails where no request can be told (an audit event that was not recorded). */
  readonly log: LogFn;
}

export interface StreamLimits {
  /** Bytes a slow SSE or WebSocket client may have waiting in our buffers before it is dropped. */
  readonly maxBufferedBytes: number;
  /** How often an idle stream gets a heartbeat (SSE comment, WebSocket ping). */
  readonly heartbeatMs: number;
  /** In a burst, live events go out in batches at most this often (events/hub.ts); 0: as each read returns. */
  readonly coalesceMs: number;
  /** After dropping a slow SSE client, how long its final bytes (the `dropped` event) may take before its socket is destroyed. */
  readonly dropGraceMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxBufferedBytes: 1 << 20, heartbeatMs: 15_000, coalesceMs: DEFAULT_COALESCE_MS, dropGraceMs: 10_000 };

/**
 * The history writer, run by the daemon: it consumes the swarm's event
 * stream through a consumer group (at least once: an entry is acknowledged
 * only once its rows are committed) and writes events, tasks, executions and
 * audit entries into the store. When the store is unavailable (PostgreSQL
 * stopped, a full disk) the entries stay pending in Redis and the writer
 * retries with backoff; tasks run on regardless. A damaged or deleted SQLite
 * file is moved aside and rebuilt from what Redis still holds.
 */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { EventStream, Ledger, keys as keysOf, type LogFn, type Redactor } from "../../core/index.js";
import { RedisExecutionStore } from "../../workflows/index.js";
import { isCorruption, openStore, StoreCorruptError, type HistoryDb } from "../store/open.js";
import { describeTarget, type StoreTarget } from "../store/target.js";
import { backfill } from "./backfill.js";
import { writeBatch, type BatchSources } from "./batch.js";
import { OutageReport } from "./outage.js";
import { inodeOf, moveAside } from "./sqlite-file.js";
import { isNoGroup, StreamGroup } from "./stream-group.js";

export interface HistoryWriterOptions {
  readonly target: StoreTarget;
  /** A shared connection (ledger reads, acknowledgements). */
  readonly redis: Redis;
  /** A new dedicated connection for the blocking reads. */
  readonly connect: (name: string) => Redis;
  readonly prefix?: string;
  readonly redact: Redactor;
  readonly log?: LogFn;
  /** Lines for the person who started the daemon (a rebuild). */
  readonly progress?: (line: string) => void;
  readonly consumer?: string;
  readonly batchSize?: number;
  readonly blockMs?: number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Pause after a short batch (see COALESCE_MS). */
  readonly coalesceMs?: number;
}

/** Entries another daemon left pending this long are taken over (it died). */
const STALE_MS = 60_000;
/**
 * After a short batch, wait this long before reading again, so that a burst is
 * written in a few large transactions rather than one per event: SQLite's
 * writes are synchronous and share the daemon's event loop with the bridge.
 */
const COALESCE_MS = 150;

export class HistoryWriter {
  private store: HistoryDb | null = null;
  private inode: number | null = null;
  private needsBackfill = true;
  private readonly group: StreamGroup;
  private readonly blocking: Redis;
  private readonly sources: BatchSources;
  private readonly events: EventStream;
  private readonly log: LogFn;
  private readonly stop = new AbortController();
  private loop: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private readonly outage: OutageReport;
  private lastClaim = 0;
  private readonly hosts = new Map<string, string>();
  private written = 0;

  private constructor(private readonly options: HistoryWriterOptions) {
    const k = keysOf(options.prefix ?? "ca");
    this.log = options.log ?? (() => undefined);
    this.group = new StreamGroup(options.redis, k.events, options.consumer ?? `writer@${hostname()}`);
    this.blocking = options.connect("history-writer");
    this.blocking.on("error", () => undefined);
    this.events = new EventStream(options.redis, k.events);
    this.outage = new OutageReport(options.redis, this.events, k.historyWriter, describeTarget(options.target), this.log, options.progress);
    const executions = new RedisExecutionStore(options.redis, k.prefix);
    this.sources = {
      redis: options.redis,
      ledger: new Ledger(options.redis, k.prefix),
      executionKey: (id) => executions.key(id),
      redact: options.redact,
      hostOf: (session) => this.hostOf(session, k.session(session)),
    };
    this.backfillKeys = { taskIndex: k.taskIndex, executionIndex: executions.indexKey };
  }

  private readonly backfillKeys: { taskIndex: string; executionIndex: string };

  /** Starts writing; resolves at once even when the store is unreachable (it keeps trying). */
  static async start(options: HistoryWriterOptions): Promise<HistoryWriter> {
    const writer = new HistoryWriter(options);
    await writer.group.ensure();
    writer.loop = writer.run();
    return writer;
  }

  /** Events written since start (for the daemon's log and the tests). */
  get eventsWritten(): number {
    return this.written;
  }

  /** Stops after the batch in progress; pending entries stay in Redis for the next writer. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort();
      this.blocking.disconnect();
      await this.loop;
      await this.store?.close();
      this.store = null;
    })();
    return this.closing;
  }

  private async run(): Promise<void> {
    const min = this.options.minBackoffMs ?? 500;
    let backoff = min;
    while (!this.stop.signal.aborted) {
      try {
        await this.step();
        backoff = min;
      } catch (error) {
        if (this.stop.signal.aborted) return;
        if (isNoGroup(error)) {
          // The stream went away (a flush, a restore): a new group reads the new stream from its start.
          this.needsBackfill = true;
          try {
            await this.group.ensure();
            this.log("history.group.recreated", {});
            continue;
          } catch (failure) {
            // Not made: waits out the backoff below like any other failure, rather than trying again at once.
            this.log("history.group.recreate-failed", { error: failure });
          }
        }
        if (isCorruption(error) || error instanceof StoreCorruptError) {
          await this.rebuild(`it is damaged (${(error as Error).message})`).catch((e: unknown) => this.log("history.rebuild.failed", { error: e }));
          continue;
        }
        await this.outage.degraded(error);
        await sleep(backoff, undefined, { signal: this.stop.signal }).catch(() => undefined); // aborted by close(): the loop ends
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 10_000);
      }
    }
  }

  /** One round: make sure the store is there, then write this consumer's pending entries, or the next new ones. */
  private async step(): Promise<void> {
    const store = await this.ensureStore();
    if (this.needsBackfill) {
      const filled = await backfill(store.db, this.sources, this.backfillKeys);
      this.needsBackfill = false;
      this.log("history.backfilled", filled);
    }
    const batch = this.options.batchSize ?? 500;
    let delivery = await this.group.pending(batch);
    if (delivery.ids.length === 0) {
      if (Date.now() - this.lastClaim > STALE_MS) {
        this.lastClaim = Date.now();
        const claimed = await this.group.claimStale(STALE_MS);
        if (claimed > 0) return this.log("history.claimed", { entries: claimed });
      }
      await this.outage.recovered();
      delivery = await this.group.next(this.blocking, batch, this.options.blockMs ?? 2000);
    }
    if (delivery.ids.length === 0) return;
    if (delivery.events.length > 0) await writeBatch(store.db, this.sources, delivery.events);
    await this.group.ack(delivery.ids);
    this.written += delivery.events.length;
    // Aborted by close(): the loop ends.
    if (delivery.ids.length < batch) await sleep(this.options.coalesceMs ?? COALESCE_MS, undefined, { signal: this.stop.signal }).catch(() => undefined);
  }

  private async ensureStore(): Promise<HistoryDb> {
    const target = this.options.target;
    if (this.store !== null && target.kind === "sqlite" && this.fileReplaced(target.file)) {
      await this.rebuild("its file was deleted or replaced");
    }
    if (this.store === null) {
      try {
        this.store = await openStore(target);
      } catch (error) {
        if (!(error instanceof StoreCorruptError) || target.kind !== "sqlite") throw error;
        moveAside(target.file, error.message, this.log);
        this.store = await openStore(target);
        await this.afterRebuild(`it was damaged (${error.message})`);
      }
      this.inode = target.kind === "sqlite" ? inodeOf(target.file) : null;
    }
    return this.store;
  }

  private fileReplaced(file: string): boolean {
    return !existsSync(file) || inodeOf(file) !== this.inode;
  }

  /** Closes the store, moves a damaged file aside, opens a new one and reads back everything Redis holds. */
  private async rebuild(why: string): Promise<void> {
    await this.store?.close();
    this.store = null;
    const target = this.options.target;
    if (target.kind === "sqlite" && existsSync(target.file)) moveAside(target.file, why, this.log);
    this.store = await openStore(target);
    this.inode = target.kind === "sqlite" ? inodeOf(target.file) : null;
    await this.afterRebuild(why);
  }

  private async afterRebuild(why: string): Promise<void> {
    await this.group.rewind();
    this.needsBackfill = true;
    const message = `history store ${describeTarget(this.options.target)}: ${why}; rebuilding it from what Redis still holds (tasks, workflow executions and the events still in the stream)`;
    this.options.progress?.(`history: ${message}`);
    this.log("history.rebuilt", { why });
    await this.events.publish("history.rebuilt", { message }).catch((error: unknown) => this.log("history.report-failed", { event: "history.rebuilt", error }));
  }

  private async hostOf(session: string, key: string): Promise<string | null> {
    const known = this.hosts.get(session);
    if (known !== undefined) return known;
    const host = await this.options.redis.hget(key, "host");
    if (host) this.hosts.set(session, host);
    return host || null;
  }
}

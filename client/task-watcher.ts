import type { Redis } from "ioredis";
import { setTimeout as sleep } from "node:timers/promises";
import { EventStream, isTerminal, type Ledger, type SwarmEvent, type TaskRecord } from "../core/index.js";

/** How soon a read that failed (Redis away or reconnecting) is tried again. */
const RETRY_MS = 200;

interface Waiter {
  resolve(record: TaskRecord): void;
  reject(error: unknown): void;
}

/**
 * Waits for tasks to end with one blocking read of the event stream shared by
 * all waiters of a client: no polling, and a result is seen within a Redis
 * round trip of being recorded. A task that ends in this very process (the
 * daemon's API waiting on its own bridge) settles its waiters at once, from
 * the record the ledger read back as it ended it (core/task-ends.ts).
 */
export class TaskWatcher {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly stream: EventStream;
  private loop: Promise<void> | null = null;
  private cursor = "$";
  private closed = false;
  private readonly unlisten: () => void;

  constructor(
    private readonly blocking: Redis,
    private readonly ledger: Ledger,
  ) {
    this.stream = new EventStream(blocking, ledger.keys.events);
    this.unlisten =
      ledger.ends?.listen((record) => {
        if (this.waiters.has(record.id)) this.settle(record.id, record);
      }) ?? (() => undefined);
  }

  /**
   * The task's record once it is terminal. `read` reads the record (default: the ledger's get; the
   * client passes its own, which throws NotFound for an unknown id).
   */
  async wait(id: string, signal?: AbortSignal, read: (id: string) => Promise<TaskRecord | null> = (taskId) => this.ledger.get(taskId)): Promise<TaskRecord> {
    if (this.cursor === "$") this.cursor = await this.stream.lastId();
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.drop(id, waiter);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        resolve: (record) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(record);
        },
        reject,
      };
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      set.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.loop ??= this.run();
      // One read, after the waiter is registered: an end recorded before it is in what it reads (the
      // ledger writes a status and its event in one script); one recorded after it comes as an event
      // after the loop's cursor. (Reading before registering needed a second read for an end that
      // fell between the two: a Redis round trip more on every wait.)
      read(id).then(
        (record) => {
          if (record && isTerminal(record.status)) this.settle(id, record);
        },
        (error: unknown) => {
          signal?.removeEventListener("abort", onAbort);
          this.drop(id, waiter);
          reject(error);
        },
      );
    });
  }

  /** Forgets one waiter (aborted, or its read failed); the loop stops once nobody waits. */
  private drop(id: string, waiter: Waiter): void {
    const set = this.waiters.get(id);
    set?.delete(waiter);
    if (set?.size === 0) this.waiters.delete(id);
  }

  close(): void {
    this.closed = true;
    this.unlisten();
    this.blocking.disconnect();
    for (const set of this.waiters.values()) for (const waiter of set) waiter.reject(new Error("watcher closed"));
    this.waiters.clear();
  }

  private async run(): Promise<void> {
    while (!this.closed && this.waiters.size > 0) {
      let events: SwarmEvent[];
      try {
        events = await this.stream.read(this.cursor, 5000);
      } catch {
        // Redis away or the connection closing: the watcher reads again in a moment (ioredis reconnects), or stops when closed.
        if (this.closed) return;
        await sleep(RETRY_MS);
        continue;
      }
      for (const event of events) {
        this.cursor = event.id;
        if (event.taskId && this.waiters.has(event.taskId) && event.status && isTerminal(event.status)) await this.check(event.taskId);
      }
    }
    this.loop = null;
  }

  /**
   * Reads the record of a task whose end event just came. The event is behind the cursor once read, so a read
   * that fails (Redis away for a moment) is tried again while anyone waits: given up on, a wait without a
   * timeout or a signal would never end.
   */
  private async check(id: string): Promise<void> {
    while (!this.closed && this.waiters.has(id)) {
      try {
        const record = await this.ledger.get(id);
        if (record && isTerminal(record.status)) this.settle(id, record);
        return;
      } catch {
        await sleep(RETRY_MS); // Redis away: read again, as the loop reads the stream again
      }
    }
  }

  private settle(id: string, record: TaskRecord): void {
    const set = this.waiters.get(id);
    this.waiters.delete(id);
    for (const waiter of set ?? []) waiter.resolve(record);
  }
}

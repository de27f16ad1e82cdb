import type { Redis } from "ioredis";
import { EventStream, isTerminal, type Ledger, type SwarmEvent, type TaskRecord } from "../core/index.js";

interface Waiter {
  resolve(record: TaskRecord): void;
  reject(error: unknown): void;
}

/**
 * Waits for tasks to end with one blocking read of the event stream shared by
 * all waiters of a client: no polling, and a result is seen within a Redis
 * round trip of being recorded.
 */
export class TaskWatcher {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly stream: EventStream;
  private loop: Promise<void> | null = null;
  private cursor = "$";
  private closed = false;

  constructor(
    private readonly blocking: Redis,
    private readonly ledger: Ledger,
  ) {
    this.stream = new EventStream(blocking, ledger.keys.events);
  }

  async wait(id: string, signal?: AbortSignal): Promise<TaskRecord> {
    if (this.cursor === "$") this.cursor = await this.stream.lastId();
    const record = await this.ledger.get(id);
    if (record && isTerminal(record.status)) return record;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      set.add(waiter);
      signal?.addEventListener(
        "abort",
        () => {
          set?.delete(waiter);
          reject(signal.reason);
        },
        { once: true },
      );
      this.loop ??= this.run();
      // The task may have ended between our read and the registration.
      void this.check(id);
    });
  }

  close(): void {
    this.closed = true;
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
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      for (const event of events) {
        this.cursor = event.id;
        if (event.taskId && this.waiters.has(event.taskId) && event.status && isTerminal(event.status)) await this.check(event.taskId);
      }
    }
    this.loop = null;
  }

  private async check(id: string): Promise<void> {
    const record = await this.ledger.get(id).catch(() => null);
    if (!record || !isTerminal(record.status)) return;
    const set = this.waiters.get(id);
    this.waiters.delete(id);
    for (const waiter of set ?? []) waiter.resolve(record);
  }
}

import type { TaskRecord } from "./protocol.js";

type Listener = (record: TaskRecord) => void;

/**
 * Tasks that ended in this process, handed at once to whoever in this process
 * waits for them. The daemon's bridge ends most tasks, and the HTTP API in the
 * same daemon waits for them (`POST /v1/tasks?wait=`). Through Redis alone, a
 * wait learns of an end from its blocking read of the event stream, whose
 * answer queues behind the bridge's own work on the same event loop, and then
 * reads the record again: a round trip more. The ledger reads the ended record
 * back in the transaction that ends it and hands it here, so a wait in the
 * process that ended the task settles without either. Waits for tasks ended
 * elsewhere (another host, another process) still learn of them from the stream.
 */
export class TaskEnds {
  private readonly listeners = new Set<Listener>();

  /** Calls `listener` with every record that ends from now on; returns the function that stops it. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Tells every listener; one that throws does not keep the record from the others. */
  tell(record: TaskRecord): void {
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // A waiter's failure is its own; the record is in Redis for it to read again.
      }
    }
  }
}

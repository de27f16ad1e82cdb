import { createRedis, EventStream, keys, type RedisTarget } from "../core/index.js";
import { formatEvent } from "./commands/logs.js";

/** The events a person watching a foreground `up` wants a line for: a task starting, and how it ended. */
const TASK_EVENTS = new Set(["task.started", "task.completed", "task.failed", "task.timeout", "task.cancelled", "task.retrying"]);

export interface TaskLog {
  close(): Promise<void>;
}

/**
 * A foreground `up`'s lines for task starts and ends, as `logs` prints them
 * (each field kept to one line and sanitised), read from the event stream on
 * a connection of its own: a blocking read never holds the daemon's.
 * Events from before it started are not printed.
 */
export function startTaskLog(options: { readonly target: RedisTarget; readonly prefix: string; readonly say: (line: string) => void }): TaskLog {
  const redis = createRedis(options.target, { worker: true, name: "task-log" });
  redis.on("error", () => undefined);
  const stream = new EventStream(redis, keys(options.prefix).events);
  let closed = false;
  const loop = (async () => {
    let last = await stream.lastId();
    while (!closed) {
      // A failed read (Redis restarting) is tried again after the block time; closing ends it at once.
      const events = await stream.read(last, 2000).catch(async () => {
        if (!closed) await new Promise((resolve) => setTimeout(resolve, 1000));
        return [];
      });
      for (const event of events) {
        last = event.id;
        if (!closed && TASK_EVENTS.has(event.type)) options.say(formatEvent(event));
      }
    }
  })().catch(() => undefined); // lastId() failed (Redis away at start): `up` runs on without task lines
  let closing: Promise<void> | null = null;
  return {
    close() {
      closing ??= (async () => {
        closed = true;
        redis.disconnect();
        await loop;
      })();
      return closing;
    },
  };
}

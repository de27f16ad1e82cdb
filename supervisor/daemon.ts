import type { Redis } from "ioredis";
import { EventStream, type Keys, type LogFn } from "../core/index.js";

const HEARTBEAT_MS = 5_000;

/**
 * The supervisor's long-running side: announces the swarm, keeps a heartbeat
 * that `status` uses to tell a live swarm from a stale record.
 */
export class SupervisorDaemon {
  private timer: NodeJS.Timeout | null = null;
  private readonly events: EventStream;

  constructor(private readonly redis: Redis, private readonly keys: Keys, private readonly log: LogFn = () => undefined) {
    this.events = new EventStream(redis, keys.events);
  }

  async start(): Promise<void> {
    const startedAt = new Date().toISOString();
    await this.redis.hset(this.keys.daemonHeartbeat, { pid: process.pid, startedAt, heartbeatAt: startedAt });
    await this.events.publish("swarm.up", { message: `pid ${process.pid}` });
    this.timer = setInterval(() => {
      this.redis.hset(this.keys.daemonHeartbeat, "heartbeatAt", new Date().toISOString()).catch((error) => this.log("heartbeat.failed", { error }));
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    await this.events.publish("swarm.down", { message: `pid ${process.pid}` }).catch(() => undefined);
    await this.redis.hset(this.keys.daemonHeartbeat, "heartbeatAt", "").catch(() => undefined);
  }
}

import type { Redis } from "ioredis";
import { NotReplicatedError } from "../errors.js";
import type { Keys } from "../keys.js";

export interface AcknowledgeSettings {
  readonly replicas: number;
  readonly timeoutMs: number;
}

/** A connection re-established this many times while confirming one task means Redis is failing over and over: give up. */
const MAX_ROUNDS = 3;

/**
 * `redis.acknowledge`: a submit returns only once `replicas` replicas hold the task's record.
 *
 * Redis replication is asynchronous: the primary answers a write before any replica has it, so a primary that
 * dies right after accepting a task can take it along (the replica promoted in its place never saw it). WAIT
 * closes that window, with two traps this class steps around:
 * - WAIT counts the writes of the connection that sends it (its replication offset), and a connection that has
 *   written nothing returns at once. So it runs on a connection of its own, after a write of its own (INCR of a
 *   marker key) issued after it saw the task record on that same primary: the replication stream is ordered,
 *   so a replica that has the marker has the record.
 * - After a failover ioredis reconnects and re-sends what was pending, to the new primary. A WAIT that reached
 *   a new connection proves nothing, so every round counts the connection's `ready` events and starts over
 *   (looking for the record again: it may not have survived) when one came in between.
 * A blocked WAIT would also hold back every command behind it on a shared connection (the daemon's, when a
 * workflow submits): one more reason for the dedicated connection.
 */
export class Acknowledger {
  #connection: Redis | null = null;
  #epoch = 0;
  #connectedOnce = false;
  #closed = false;

  constructor(
    private readonly source: Redis,
    private readonly keys: Keys,
    private readonly settings: AcknowledgeSettings,
  ) {}

  /** Resolves with how many replicas confirmed `taskId`; throws NotReplicatedError when too few did in time. */
  async confirm(taskId: string): Promise<number> {
    const redis = this.connection();
    const { replicas, timeoutMs } = this.settings;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const epoch = this.#epoch;
      const reply = await redis.multi().exists(this.keys.task(taskId)).incr(this.marker()).exec();
      const found = reply?.[0]?.[1];
      const acked = Number(await redis.call("WAIT", String(replicas), String(timeoutMs)));
      if (this.#epoch !== epoch) continue; // reconnected in between: this round proves nothing
      if (found !== 1) {
        throw new NotReplicatedError(`task ${taskId} is not on the Redis primary any more: it was lost in a failover before a replica had it`, {
          hint: "Submit it again (with the same idempotency key, a task that did survive is not run twice).",
          context: { taskId },
        });
      }
      if (acked >= replicas) return acked;
      throw new NotReplicatedError(
        `task ${taskId} was accepted by the Redis primary, but only ${acked} of the ${replicas} replica${replicas === 1 ? "" : "s"} redis.acknowledge asks for confirmed it within ${timeoutMs} ms: it runs once a replica has it (no bridge dispatches it before), and is lost, never run, if the primary fails first`,
        {
          hint: "Check the replicas (redis-cli INFO replication on the primary). `claude-agent result ID` shows whether the task runs; submitting again with the same idempotency key does not run it twice.",
          context: { taskId, acknowledged: acked, wanted: replicas, timeoutMs },
        },
      );
    }
    throw new NotReplicatedError(`task ${taskId}: the connection to Redis was re-established ${MAX_ROUNDS} times while confirming it on a replica`, {
      hint: "Redis is failing over; `claude-agent result ID` shows whether the task was kept, or submit it again with the same idempotency key.",
      context: { taskId },
    });
  }

  /** Holds nothing of value: only counts acknowledged submits, under the swarm's prefix. */
  private marker(): string {
    return `${this.keys.prefix}:acknowledged`;
  }

  private connection(): Redis {
    if (this.#closed) throw new Error("Acknowledger is closed");
    if (!this.#connection) {
      // duplicate(): the same target (socket, URL or sentinel group) and credentials as the client's connection.
      const connection = this.source.duplicate({ connectionName: "acknowledge" });
      connection.on("error", () => undefined);
      // The first `ready` is not a reconnection: commands queued before it go to that first connection.
      connection.on("ready", () => {
        if (this.#connectedOnce) this.#epoch++;
        this.#connectedOnce = true;
      });
      this.#connection = connection;
    }
    return this.#connection;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection?.disconnect();
    this.#connection = null;
  }
}

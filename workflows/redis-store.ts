import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { InfraError } from "../core/index.js";
import { parseExecutionState } from "./state-schema.js";
import { executionExists, executionNotFound, type ExecutionStore, type Mutation } from "./store.js";
import type { ExecutionState } from "./types.js";

/**
 * Sets KEYS[1] to ARGV[2] only if its value still hashes to ARGV[1]; 1 on success,
 * 0 when someone wrote in between, -1 when the key is gone. A compare-and-set
 * instead of WATCH/MULTI because WATCH belongs to a connection, and one ioredis
 * client is shared by every concurrent update in the process.
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if redis.sha1hex(current) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[3] == '1' then redis.call('SADD', KEYS[2], ARGV[4]) else redis.call('SREM', KEYS[2], ARGV[4]) end
return 1`;

const CREATE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
  if ARGV[4] == '1' then redis.call('SADD', KEYS[3], ARGV[3]) end
  return 1
end
return 0`;

/** Lost races retried before giving up; each retry re-reads, so this only trips under a storm of writers. */
const MAX_ATTEMPTS = 100;

function sha1(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/**
 * Each execution is one JSON string at `<prefix>:wf:<id>`, indexed by creation
 * time in the sorted set `<prefix>:wfs`; the ids of those still running are also
 * in the set `<prefix>:wfs:running`, kept in step by the same scripts.
 */
export class RedisExecutionStore implements ExecutionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = "ca",
  ) {}

  key(id: string): string {
    return `${this.prefix}:wf:${id}`;
  }

  get indexKey(): string {
    return `${this.prefix}:wfs`;
  }

  get runningKey(): string {
    return `${this.prefix}:wfs:running`;
  }

  /** Ids of the executions whose status is running (cheap: no document is read). */
  running(): Promise<string[]> {
    return this.redis.smembers(this.runningKey);
  }

  async create(state: ExecutionState): Promise<void> {
    const score = Date.parse(state.createdAt) || Date.now();
    const running = state.status === "running" ? "1" : "0";
    const created = await this.redis.eval(CREATE, 3, this.key(state.id), this.indexKey, this.runningKey, JSON.stringify(state), score, state.id, running);
    if (created !== 1) throw executionExists(state.id);
  }

  async get(id: string): Promise<ExecutionState | null> {
    const text = await this.redis.get(this.key(id));
    return text === null ? null : parseExecutionState(text, this.key(id));
  }

  async update(id: string, mutate: Mutation): Promise<ExecutionState> {
    const key = this.key(id);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const text = await this.redis.get(key);
      if (text === null) throw executionNotFound(id);
      const draft = parseExecutionState(text, key);
      const next = mutate(draft) ?? draft;
      const written = JSON.stringify(next);
      const running = next.status === "running" ? "1" : "0";
      const result = await this.redis.eval(COMPARE_AND_SET, 2, key, this.runningKey, sha1(text), written, running, id);
      if (result === 1) return JSON.parse(written) as ExecutionState;
      if (result === -1) throw executionNotFound(id);
    }
    throw new InfraError(`could not update workflow execution "${id}": ${MAX_ATTEMPTS} concurrent writes in a row won`, {
      context: { executionId: id },
    });
  }

  async list(): Promise<ExecutionState[]> {
    const ids = await this.redis.zrevrange(this.indexKey, 0, -1);
    if (ids.length === 0) return [];
    const texts = await this.redis.mget(ids.map((id) => this.key(id)));
    const states: ExecutionState[] = [];
    texts.forEach((text, i) => {
      if (text !== null) states.push(parseExecutionState(text, this.key(ids[i] ?? "")));
    });
    return states;
  }
}

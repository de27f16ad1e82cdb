import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { FENCE_LUA, FencedError, InfraError, keys as swarmKeys, type RetentionConfig } from "../core/index.js";
import { parseExecutionState } from "./state-schema.js";
import { executionExists, executionNotFound, type ExecutionStore, type Mutation } from "./store.js";
import type { ExecutionState, ExecutionStatus } from "./types.js";

/**
 * Keeps an execution's id in the right index for its status (class `running`,
 * `completed`, or `failed` for failed and cancelled ones): the running set, or
 * the sorted set of its class scored by when it finished (what retention reads).
 */
const INDEX = `
local function index(running, completed, failed, class, id, finished)
  if class == 'running' then
    redis.call('SADD', running, id)
    redis.call('ZREM', completed, id)
    redis.call('ZREM', failed, id)
    return
  end
  redis.call('SREM', running, id)
  if class == 'completed' then
    redis.call('ZADD', completed, finished, id)
    redis.call('ZREM', failed, id)
  else
    redis.call('ZADD', failed, finished, id)
    redis.call('ZREM', completed, id)
  end
end`;

/**
 * Sets KEYS[1] to ARGV[2] only if its value still hashes to ARGV[1], and indexes
 * it (KEYS[2..4], ARGV[3..5]); 1 on success, 0 when someone wrote in between, -1
 * when the key is gone, -2 when the writer is fenced (ARGV[6], a fencing token, is
 * not the leader lease's at KEYS[5]; '' writes unfenced). A compare-and-set instead of WATCH/MULTI because WATCH
 * belongs to a connection, and one ioredis client is shared by every concurrent
 * update in the process.
 *
 * KEYS[6] is the write's own id (drawn per update, ARGV[7] seconds to live). The
 * daemon's client sends an unanswered command again when it reconnects
 * (ioredis' autoResendUnfulfilledCommands): a copy of a write that Redis carried
 * out finds the value changed and would answer 0, and the update would apply its
 * mutation a second time on top of its own first run (a step's attempt counted
 * twice). The copy finds its id and is answered 1, writing nothing. A fenced
 * writer is refused first, as the ledger refuses a stale dispatch's copy.
 */
const COMPARE_AND_SET = `${INDEX}${FENCE_LUA}
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if ARGV[6] ~= '' and not fenceHolds(KEYS[5], ARGV[6]) then return -2 end
if redis.call('EXISTS', KEYS[6]) == 1 then return 1 end
if redis.sha1hex(current) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[6], '1', 'EX', ARGV[7])
index(KEYS[2], KEYS[3], KEYS[4], ARGV[3], ARGV[4], ARGV[5])
return 1`;

/**
 * Creates KEYS[1] as ARGV[1] unless it exists: 1 when created, 0 when another
 * execution has the id. A copy sent again after a lost reply (see above) finds
 * its own document, byte for byte, and is answered 1.
 */
const CREATE = `${INDEX}
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
  index(KEYS[3], KEYS[4], KEYS[5], ARGV[4], ARGV[3], ARGV[5])
  return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
return 0`;

/** How long an update's write id is remembered: a copy sent again later than this would apply once more. */
const WRITE_ID_TTL_SEC = 3600;

/**
 * Removes finished executions: KEYS = index, running, completed, failed, then
 * one document key per id in ARGV. One still (or again) in the running set is
 * kept. Returns how many documents were deleted.
 */
const REMOVE = `
local removed = 0
for i, id in ipairs(ARGV) do
  if redis.call('SISMEMBER', KEYS[2], id) == 0 then
    removed = removed + redis.call('DEL', KEYS[4 + i])
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZREM', KEYS[3], id)
    redis.call('ZREM', KEYS[4], id)
  end
end
return removed`;

/** What retention needs of swarm.yaml's `retention:` (core's RetentionConfig). */
export type ExecutionRetention = Pick<RetentionConfig, "completedMs" | "failedMs" | "maxExecutions">;

/** A finished execution, for indexing one stored before the finished indexes existed. */
export interface FinishedExecution {
  readonly id: string;
  readonly status: ExecutionStatus;
  readonly finishedAt: string | null;
}

/** Executions removed by one expire() at most; the next sweep takes the rest. */
const EXPIRE_BATCH = 1000;
const REMOVE_CHUNK = 200;

type IndexClass = "running" | "completed" | "failed";

function classOf(status: ExecutionStatus): IndexClass {
  return status === "running" ? "running" : status === "completed" ? "completed" : "failed";
}

function finishedScore(state: { readonly finishedAt: string | null; readonly updatedAt?: string }): number {
  return Date.parse(state.finishedAt ?? state.updatedAt ?? "") || Date.now();
}

/** Lost races retried before giving up; each retry re-reads, so this only trips under a storm of writers. */
const MAX_ATTEMPTS = 100;

function sha1(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/**
 * The leader's store in a swarm with `hosts:`: every update carries the term's fencing
 * token and is refused in the same script that would write it when the token is no
 * longer the lease's (core/redis/leader.ts), so a stale leader records nothing.
 */
export interface StoreFence {
  readonly token: string;
  /** Told of each refusal (the daemon steps down), before update throws FencedError. */
  readonly refused?: (error: FencedError) => void;
}

/**
 * Each execution is one JSON string at `<prefix>:wf:<id>`, indexed by creation
 * time in the sorted set `<prefix>:wfs`; the ids of those still running are also
 * in the set `<prefix>:wfs:running`, and those finished in the sorted sets
 * `<prefix>:wfs:completed` and `<prefix>:wfs:failed` (failed or cancelled) by
 * when they finished, all kept in step by the same scripts, so that finding
 * what to drive or to forget reads no document.
 */
export class RedisExecutionStore implements ExecutionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly fence: StoreFence | null = null,
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

  get completedKey(): string {
    return `${this.prefix}:wfs:completed`;
  }

  /** Failed and cancelled executions. */
  get failedKey(): string {
    return `${this.prefix}:wfs:failed`;
  }

  private get indexKeys(): [string, string, string] {
    return [this.runningKey, this.completedKey, this.failedKey];
  }

  /** Ids of the executions whose status is running (cheap: no document is read). */
  running(): Promise<string[]> {
    return this.redis.smembers(this.runningKey);
  }

  async create(state: ExecutionState): Promise<void> {
    const score = Date.parse(state.createdAt) || Date.now();
    const keys = [this.key(state.id), this.indexKey, ...this.indexKeys];
    const created = await this.redis.eval(CREATE, keys.length, ...keys, JSON.stringify(state), score, state.id, classOf(state.status), finishedScore(state));
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
      const keys = [key, ...this.indexKeys, swarmKeys(this.prefix).leader, `${key}:write:${randomBytes(9).toString("base64url")}`];
      const token = this.fence?.token ?? "";
      const result = await this.redis.eval(
        COMPARE_AND_SET,
        keys.length,
        ...keys,
        sha1(text),
        written,
        classOf(next.status),
        id,
        finishedScore(next),
        token,
        WRITE_ID_TTL_SEC,
      );
      if (result === 1) return JSON.parse(written) as ExecutionState;
      if (result === -1) throw executionNotFound(id);
      if (result === -2) throw this.refused(id, token);
    }
    throw new InfraError(`could not update workflow execution "${id}": ${MAX_ATTEMPTS} concurrent writes in a row won`, {
      context: { executionId: id },
    });
  }

  private refused(id: string, token: string): FencedError {
    const error = new FencedError(`a write to workflow execution "${id}"`, token);
    this.fence?.refused?.(error);
    return error;
  }

  /**
   * The newest `limit` executions' documents as stored, unparsed (null for
   * one removed meanwhile): for readers that parse defensively, like the
   * dashboard, which skips a document it cannot read instead of failing.
   */
  async recentDocuments(limit: number): Promise<(string | null)[]> {
    const ids = await this.redis.zrevrange(this.indexKey, 0, limit - 1);
    return ids.length > 0 ? this.redis.mget(ids.map((id) => this.key(id))) : [];
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

  /**
   * Forgets finished executions past their retention: completed ones
   * `completedMs` after they finished, failed and cancelled ones `failedMs`
   * after; then, while more than `maxExecutions` are stored, the oldest finished
   * ones. A running execution is never removed. Returns how many were removed
   * (at most EXPIRE_BATCH a call; the next call takes the rest).
   */
  async expire(policy: ExecutionRetention, now = Date.now()): Promise<number> {
    const doomed = new Set<string>();
    for (const [set, keepMs] of [
      [this.completedKey, policy.completedMs],
      [this.failedKey, policy.failedMs],
    ] as const) {
      for (const id of await this.redis.zrangebyscore(set, "-inf", `(${now - keepMs}`, "LIMIT", 0, EXPIRE_BATCH)) doomed.add(id);
    }
    const over = Math.min((await this.redis.zcard(this.indexKey)) - doomed.size - policy.maxExecutions, EXPIRE_BATCH);
    if (over > 0) {
      // Oldest finished first, across both sets: the first `over + doomed` of each, merged by when they finished.
      const take = over + doomed.size;
      const [completed, failed] = await Promise.all([
        this.redis.zrange(this.completedKey, 0, take - 1, "WITHSCORES"),
        this.redis.zrange(this.failedKey, 0, take - 1, "WITHSCORES"),
      ]);
      const finished = [...pairs(completed), ...pairs(failed)].sort((a, b) => a.score - b.score || a.id.localeCompare(b.id));
      let added = 0;
      for (const { id } of finished) {
        if (added >= over) break;
        if (doomed.has(id)) continue;
        doomed.add(id);
        added++;
      }
    }
    const ids = [...doomed];
    let removed = 0;
    for (let i = 0; i < ids.length; i += REMOVE_CHUNK) {
      const chunk = ids.slice(i, i + REMOVE_CHUNK);
      const keys = [this.indexKey, ...this.indexKeys, ...chunk.map((id) => this.key(id))];
      removed += Number(await this.redis.eval(REMOVE, keys.length, ...keys, ...chunk));
    }
    return removed;
  }

  /**
   * Indexes finished executions stored before the finished indexes existed (the
   * daemon passes those it reads at start); one already indexed is left as it is.
   */
  async indexFinished(executions: readonly FinishedExecution[]): Promise<void> {
    if (executions.length === 0) return;
    const batch = this.redis.pipeline();
    for (const execution of executions) {
      const cls = classOf(execution.status);
      if (cls === "running") continue;
      batch.zadd(cls === "completed" ? this.completedKey : this.failedKey, "NX", finishedScore(execution), execution.id);
    }
    await batch.exec();
  }
}

function pairs(flat: readonly string[]): { id: string; score: number }[] {
  const out: { id: string; score: number }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ id: flat[i] ?? "", score: Number(flat[i + 1]) });
  return out;
}

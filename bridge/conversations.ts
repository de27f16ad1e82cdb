import type { Redis } from "ioredis";
import type { Keys } from "../core/index.js";

/**
 * The agent program's conversation each session continues: the program's own
 * session id, kept in the session's hash (`<prefix>:session:<name>`, field
 * `agentSessionId`) beside what the registry publishes, so it survives a
 * bridge restart and `status` can show it.
 */
export class ConversationStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async get(session: string): Promise<string | null> {
    return (await this.redis.hget(this.keys.session(session), FIELD)) || null;
  }

  async set(session: string, id: string): Promise<void> {
    await this.redis.hset(this.keys.session(session), FIELD, id);
  }

  async clear(session: string): Promise<void> {
    await this.redis.hdel(this.keys.session(session), FIELD);
  }
}

const FIELD = "agentSessionId";

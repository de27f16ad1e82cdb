/**
 * Issue 11, finding 2: every agent's API key was readable from the stored
 * config (`ca:config`) by whoever reached Redis. Agents' env values are never
 * written to Redis: the stored config names the variables only, and the
 * daemon starts the panes with the values from the config it loaded.
 */
import { createHash, randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

const TOKEN = `tok-${randomBytes(8).toString("hex")}`;
const PLAIN = `plain-${randomBytes(8).toString("hex")}`;

/** Every value in the Redis, whatever its type, as text. */
async function everything(redis: Redis): Promise<string> {
  const parts: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "COUNT", 1000);
    cursor = next;
    for (const key of found) {
      const type = await redis.type(key);
      const value =
        type === "string"
          ? await redis.get(key)
          : type === "hash"
            ? await redis.hgetall(key)
            : type === "list"
              ? await redis.lrange(key, 0, -1)
              : type === "set"
                ? await redis.smembers(key)
                : type === "zset"
                  ? await redis.zrange(key, 0, -1, "WITHSCORES")
                  : type === "stream"
                    ? await redis.xrange(key, "-", "+")
                    : null;
      parts.push(`${key} ${JSON.stringify(value)}`);
    }
  } while (cursor !== "0");
  return parts.join("\n");
}

describe("agents' env values and Redis", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let redis: Redis;
  beforeAll(async () => {
    swarm = await startTestSwarm(
      `agents:\n  - name: alpha\n    runtime: shell\n    timeout: 60\n    env: { API_TOKEN: ${TOKEN}, PLAIN_SETTING: ${PLAIN} }\n    routes: [sha256sum]\n`,
    );
    client = await swarm.connect();
    redis = new Redis({ path: swarm.paths.redisSocket });
  });
  afterAll(async () => {
    redis?.disconnect();
    await swarm?.destroy();
  });

  it("the panes get the values, yet no value is anywhere in Redis; the stored config names the variables", async () => {
    // The task proves the pane has the real values without printing them (a printed value would be task output).
    const task = await client.submit({ task: 'printf %s "$API_TOKEN$PLAIN_SETTING" | sha256sum | cut -c1-16' });
    expect(task.agent).toBe("alpha"); // routed by the stored config's keywords
    const result = await task.result();
    expect(result.status).toBe("completed");
    expect(result.output).toBe(
      `${createHash("sha256")
        .update(TOKEN + PLAIN)
        .digest("hex")
        .slice(0, 16)}\n`,
    );

    const dump = await everything(redis);
    expect(dump).not.toContain(TOKEN);
    expect(dump).not.toContain(PLAIN);
    expect(Object.keys(client.config.agents[0]!.env).sort()).toEqual(["API_TOKEN", "PLAIN_SETTING"]);
    expect(Object.values(client.config.agents[0]!.env)).not.toContain(PLAIN);
  });

  it("a value the task prints is still redacted from its result when the variable's name says secret", async () => {
    const result = await (await client.submit({ task: 'echo "key=$API_TOKEN"', agent: "alpha" })).result();
    expect(result.output).toBe("key=[redacted]\n");
    expect(await everything(redis)).not.toContain(TOKEN);
  });
});

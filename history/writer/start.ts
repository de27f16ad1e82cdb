import type { Redis } from "ioredis";
import { swarmRedactor, type LogFn, type SwarmConfig } from "../../core/index.js";
import { describeTarget, rememberTarget, storeTarget } from "../store/target.js";
import { HistoryWriter } from "./writer.js";
import { swarmId } from "../backup/identity.js";

export interface StartHistoryOptions {
  readonly home: string;
  readonly config: SwarmConfig;
  readonly redis: Redis;
  readonly connect: (name: string) => Redis;
  readonly prefix: string;
  readonly log?: LogFn;
  readonly progress?: (line: string) => void;
}

/**
 * The daemon's part: picks the store (swarm.yaml's `database.url`, else
 * `DATABASE_URL`, else SQLite in the home), records the choice for the
 * commands that read it, and starts the writer.
 */
export async function startHistoryWriter(options: StartHistoryOptions): Promise<{ close(): Promise<void> }> {
  if (process.env.CLAUDE_AGENT_HISTORY === "off") {
    // For measuring the swarm without its history (npm run bench:history), and as an escape hatch.
    options.progress?.("history: off (CLAUDE_AGENT_HISTORY=off): nothing is recorded beyond Redis");
    return { close: async () => undefined };
  }
  const target = storeTarget(options.home, options.config);
  rememberTarget(options.home, target);
  swarmId(options.home); // the identity a backup carries, made with the swarm

  const writer = await HistoryWriter.start({
    target,
    redis: options.redis,
    connect: options.connect,
    prefix: options.prefix,
    redact: swarmRedactor(options.config.agents.map((agent) => agent.env)),
    log: options.log,
    progress: options.progress,
  });
  options.progress?.(`history: ${describeTarget(target)}`);
  return writer;
}

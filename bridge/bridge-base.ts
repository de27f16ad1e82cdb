import type { Redis } from "ioredis";
import { join } from "node:path";
import {
  agentEnvs,
  EventStream,
  InboxStore,
  Ledger,
  PolicyAsks,
  replicasOn,
  swarmRedactor,
  type AgentConfig,
  type HomePaths,
  type Keys,
  type LogFn,
  type Redactor,
  type SwarmConfig,
  type TaskEnds,
} from "../core/index.js";
import { agentEnvironment, daemonSecrets } from "./agent-env.js";
import type { PromptContext } from "./dispatch/index.js";
import { DEFAULT_TUNING, type BridgeTuning } from "./tuning.js";

export interface BridgeOptions {
  readonly config: SwarmConfig;
  readonly paths: HomePaths;
  /** A shared connection for ledger and registry writes. */
  readonly redis: Redis;
  /** Makes a new connection (BullMQ workers and the cancel subscriber each hold one). */
  readonly connect: (name: string) => Redis;
  /** The swarm's Redis key prefix (core/keys.ts). */
  readonly prefix: string;
  readonly log: LogFn;
  readonly tuning?: Partial<BridgeTuning>;
  /** The environment agents start from (default: this process's); the swarm's own variables are removed from it (agent-env.ts). */
  readonly env?: NodeJS.ProcessEnv;
  /** Context for program agents' prompts (the history's memory entries). */
  readonly promptContext?: PromptContext;
  /** Record each task's pane as asciicast in `<home>/output/<id>.cast` (the flight recorder); default true. */
  readonly record?: boolean;
  /** In a swarm with `hosts:`, the host this bridge is: it brings up and serves only the replicas placed there (core/hosts). */
  readonly host?: string | null;
  /** Where the tasks this bridge ends are told in this process (the daemon's API waits there: core/task-ends.ts). */
  readonly ends?: TaskEnds;
}

/**
 * What every part of the bridge is built from: the options resolved once (tuning over its defaults, one
 * redactor for every secret of the swarm, the ledger and event stream on the shared connection, the
 * replicas placed on this host), so that each part's wiring takes one value instead of a dozen.
 */
export interface BridgeBase {
  readonly config: SwarmConfig;
  readonly paths: HomePaths;
  readonly redis: Redis;
  readonly keys: Keys;
  readonly ledger: Ledger;
  readonly events: EventStream;
  readonly tuning: BridgeTuning;
  readonly redact: Redactor;
  readonly log: LogFn;
  /** This bridge's host in a swarm with `hosts:`, else null. */
  readonly host: string | null;
  /** The replicas this bridge brings up and serves, by agent name. */
  readonly local: ReadonlyMap<string, readonly number[]>;
  /** The agents with at least one replica here. */
  readonly localAgents: readonly AgentConfig[];
  /** Makes a new connection and keeps it in `connections`, for close() to let go of. */
  readonly connect: (name: string) => Redis;
  readonly connections: readonly Redis[];
  /** The environment option as given (undefined: this process's), for what reads the user's own setup (accounts' logins). */
  readonly env: NodeJS.ProcessEnv | undefined;
  /** What the agent's panes, tasks and gates get: no swarm variable, no daemon secret (agent-env.ts). */
  readonly agentEnv: (agent: AgentConfig) => Record<string, string>;
  /** The swarm's inbox, where budgets, the policy's asks and programs' permission prompts wait for a person. */
  readonly inbox: InboxStore;
  /** The policy's `ask` records: a held task's, and a program's shell call's. */
  readonly policyAsks: PolicyAsks;
}

export function bridgeBase(options: BridgeOptions): BridgeBase {
  const { config, paths, redis, log } = options;
  const redact = swarmRedactor(config.agents.flatMap(agentEnvs));
  const connections: Redis[] = [];
  const connect = (name: string): Redis => {
    const connection = options.connect(name);
    connections.push(connection);
    return connection;
  };
  const ledger = new Ledger(redis, options.prefix, {
    redact,
    // The bridge turns these fields into files it reads and writes: they must point into this home.
    files: { outputDir: paths.outputDir, jobsDir: paths.jobsDir, agentsDir: join(paths.root, "agents") },
    onInvalid: (taskId, problems) => log("ledger.invalid-record", { taskId, problems: problems.join("; ") }),
    ...(options.ends ? { ends: options.ends } : {}),
  });
  const host = options.host ?? null;
  const local = replicasOn(config, host);
  return {
    config,
    paths,
    redis,
    keys: ledger.keys,
    ledger,
    events: new EventStream(redis, ledger.keys.events),
    tuning: { ...DEFAULT_TUNING, ...options.tuning },
    redact,
    log,
    host,
    local,
    localAgents: config.agents.filter((agent) => local.has(agent.name)),
    connect,
    connections,
    env: options.env,
    agentEnv: (agent) => agentEnvironment(agent, { base: options.env ?? process.env, withheld: daemonSecrets(config, agent) }),
    inbox: new InboxStore(redis, ledger.keys.prefix, ledger.keys.events),
    policyAsks: new PolicyAsks(redis, ledger.keys),
  };
}

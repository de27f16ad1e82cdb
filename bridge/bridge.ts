import type { Redis } from "ioredis";
import { homedir } from "node:os";
import { join } from "node:path";
import { SessionManager } from "../sessions/index.js";
import { Accounts } from "./accounts.js";
import {
  Acknowledger,
  agentEnvs,
  AgentSpend,
  EventStream,
  hostsOfAgent,
  InboxStore,
  PolicyAsks,
  PromptAsks,
  placements,
  replicasOn,
  Ledger,
  SpareFiles,
  spareCounts,
  swarmRedactor,
  type AgentConfig,
  type HomePaths,
  type LogFn,
  type SwarmConfig,
  type TaskEnds,
} from "../core/index.js";
import { PolicyCalls } from "./policy-calls.js";
import { AdmissionControl, Breakers, Budgets, Holds, Parking, PolicyHolds } from "./admission/index.js";
import { agentEnvironment, daemonSecrets } from "./agent-env.js";
import { interactivePrograms, type InteractivePrograms } from "../agents/index.js";
import { ConversationStore } from "./conversations.js";
import { createDispatcher, type PromptContext } from "./dispatch/index.js";
import { FlightRecorder } from "./flight-recorder.js";
import { AgentWorkers, Intake } from "./intake/index.js";
import { Sandboxes } from "./sandbox.js";
import { SessionRequests } from "./session-requests.js";
import { AgentSessions, SessionStates, type AgentSession } from "./sessions/index.js";
import { SessionSupervisor, TmuxWatch } from "./supervision/index.js";
import { DEFAULT_TUNING, type BridgeTuning } from "./tuning.js";
import { Worktrees } from "./worktrees.js";

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
 * The AgentBridge, as a composition: intake (one BullMQ worker per agent)
 * puts each job to admission (run, hold or refuse) and hands it to the
 * runner, which types it into a free session of the agent; supervision keeps
 * the sessions up. Closing it leaves the panes and their running jobs alone;
 * the next bridge re-adopts them.
 */
export class Bridge {
  private readonly connections: Redis[] = [];
  private readonly sessions: AgentSessions;
  private readonly sandboxes: Sandboxes;
  private readonly interactive: InteractivePrograms;
  private readonly recorder: FlightRecorder | null;
  /** A finished dispatch's files, emptied, from which the next dispatch's and recording's are made. */
  private readonly spares: SpareFiles;
  /** `redis.acknowledge`: a task is dispatched only once replicas hold its record. */
  private readonly acknowledger: Acknowledger | null;
  private readonly admission: AdmissionControl;
  private readonly supervisor: SessionSupervisor;
  private readonly intake: Intake;
  private readonly requests: SessionRequests;
  private readonly calls: PolicyCalls;
  private closing: Promise<void> | null = null;

  private constructor(options: BridgeOptions, manager: SessionManager) {
    const { config, paths, redis, log } = options;
    const tuning = { ...DEFAULT_TUNING, ...options.tuning };
    const redact = swarmRedactor(config.agents.flatMap(agentEnvs));
    const connect = (name: string): Redis => {
      const connection = options.connect(name);
      this.connections.push(connection);
      return connection;
    };
    const ledger = new Ledger(redis, options.prefix, {
      redact,
      // The bridge turns these fields into files it reads and writes: they must point into this home.
      files: { outputDir: paths.outputDir, jobsDir: paths.jobsDir, agentsDir: join(paths.root, "agents") },
      onInvalid: (taskId, problems) => log("ledger.invalid-record", { taskId, problems: problems.join("; ") }),
      ...(options.ends ? { ends: options.ends } : {}),
    });
    const { keys } = ledger;
    const events = new EventStream(redis, keys.events);
    const host = options.host ?? null;
    const local = replicasOn(config, host);
    const localAgents = config.agents.filter((agent) => local.has(agent.name));
    const states = new SessionStates(redis, keys, host ?? undefined);
    const tmux = new TmuxWatch(manager, { paths, log });
    this.sessions = new AgentSessions(config.agents, () => tmux.current, local);
    /** What the agent's panes, tasks and gates get: no swarm variable, no daemon secret (agent-env.ts). */
    const agentEnv = (agent: AgentConfig) => agentEnvironment(agent, { base: options.env ?? process.env, withheld: daemonSecrets(config, agent) });

    const workers = new AgentWorkers({
      connect,
      prefix: keys.prefix,
      tuning: options.tuning ?? {},
      log,
      concurrency: (agent) => local.get(agent.name)?.length ?? 0,
    });
    const holds = new Holds({ valve: workers, log });
    const settings = { threshold: tuning.breakerThreshold, openMs: tuning.breakerOpenMs, maxOpenMs: tuning.breakerMaxOpenMs };
    const breakers = new Breakers({ redis, keys, events, log, redact, settings, holds, host });
    const parking = new Parking({ redis, keys, events, log, holds, defaultMs: tuning.rateLimitParkMs, host });
    const budgets = new Budgets({
      agents: config.agents,
      spend: new AgentSpend(redis, keys),
      ledger,
      inbox: new InboxStore(redis, keys.prefix, keys.events),
      events,
      holds,
      keys,
      connect,
      log,
    });
    const asks = new PolicyHolds({
      asks: new PolicyAsks(redis, keys),
      inbox: new InboxStore(redis, keys.prefix, keys.events),
      redis,
      keys,
      connect,
      redact,
      log,
    });
    this.admission = new AdmissionControl({ holds, breakers, parking, budgets, asks, sessions: this.sessions });
    // Claude Code's Bash calls an ask rule matched, waiting in its hook for a person (policy-calls.ts).
    this.calls = new PolicyCalls({
      home: paths.root,
      agents: localAgents,
      sessions: () => this.sessions.all,
      asks: new PolicyAsks(redis, keys),
      inbox: new InboxStore(redis, keys.prefix, keys.events),
      redact,
      log,
    });

    const worktrees = new Worktrees(paths.root);
    this.sandboxes = new Sandboxes({ config, home: paths.root, worktrees });
    const conversations = new ConversationStore(redis, keys);
    const accounts = new Accounts({
      redis,
      keys,
      events,
      log,
      agents: config.agents,
      home: paths.root,
      conversations,
      defaultMs: tuning.rateLimitParkMs,
      userHome: homedir(),
      env: options.env,
    });
    this.interactive = interactivePrograms({
      agents: config.agents,
      home: paths.root,
      jobsDir: paths.jobsDir,
      publish: (pane) => states.publish(this.sessions.get(pane.name)!),
      events,
      conversations,
      log,
      hookFileMaxBytes: tuning.hookFileMaxBytes,
      // A permission prompt nobody auto-approves waits in the inbox; its answer is keyed in here, by the pane's owner.
      prompts: { inbox: new InboxStore(redis, keys.prefix, keys.events), asks: new PromptAsks(redis, keys), redact },
      account: async (agent, session, keep) => {
        if (!accounts.has(agent.name)) return null;
        // A program that kept running (a bridge restart) keeps the account it was started with.
        const kept = keep ? await accounts.launchedWith(agent.name, session) : null;
        const name = kept ?? (await accounts.current(agent.name))!;
        if (!kept) await accounts.launched(agent.name, session, name);
        return accounts.runOf(agent, name);
      },
    });
    const localSessions = [...local.values()].reduce((sum, replicas) => sum + replicas.length, 0);
    this.spares = new SpareFiles(join(paths.jobsDir, ".spare"), spareCounts(localSessions));
    const spares = this.spares;
    const unrecorded = new Set(config.agents.filter((agent) => agent.record === false).map((agent) => agent.name));
    this.recorder = options.record === false ? null : new FlightRecorder({ outputDir: paths.outputDir, sessions: () => tmux.current, log, spares, unrecorded });
    const acknowledge = config.redis?.acknowledge;
    this.acknowledger = acknowledge ? new Acknowledger(redis, keys, acknowledge) : null;
    const runner = createDispatcher({
      events,
      acknowledger: this.acknowledger,
      agents: config.agents,
      paths,
      ledger,
      states,
      pools: this.sessions.pools,
      conversations,
      interactive: this.interactive,
      worktrees,
      sandboxes: this.sandboxes,
      parking,
      asks,
      accounts,
      counted: (agent, taskId) => budgets.counted(agent, taskId),
      recorder: this.recorder,
      spares,
      agentEnv,
      recycle: (session, reason, planned) => this.supervisor.recycle(session, reason, planned),
      promptContext: options.promptContext,
      maxDispatches: tuning.maxDispatches,
      redact,
      log,
      host,
    });

    const crashLoop = (agent: string) => this.admission.crashLoop(agent);
    this.supervisor = new SessionSupervisor({
      agents: config.agents,
      paths,
      tmux,
      sessions: this.sessions,
      states,
      events,
      worktrees,
      sandboxes: this.sandboxes,
      interactive: this.interactive,
      readoption: { ledger, states, sessions: this.sessions, runner, jobsDir: paths.jobsDir, log },
      agentEnv,
      crashLoop,
      tuning,
      heartbeatMs: tuning.sessionHeartbeatMs,
      log,
      swarmSessions: placements(config).map((placed) => placed.session),
    });
    // A restart asked for by a client (TUI, CLI, API): killed here, brought back by the session-gone path.
    this.requests = new SessionRequests({
      connect,
      keys,
      host,
      log,
      restart: async (name, reason) => {
        const session = this.sessions.get(name);
        if (!session) throw new Error(`no session named ${name}`);
        await this.supervisor.recycle(session, reason);
      },
      hold: (name, untilMs, actor) => {
        const session = this.sessions.get(name);
        const held = session ? (this.sessions.pools.get(session.agent)?.hold(name, untilMs) ?? false) : false;
        if (held) void states.takenOver(name, actor, untilMs).catch((error: unknown) => log("session-request.failed", { session: name, error }));
        return held;
      },
      handBack: async (name) => {
        const session = this.sessions.get(name);
        if (session) this.sessions.pools.get(session.agent)?.handBack(name);
        await states.handedBack(name).catch((error: unknown) => log("session-request.failed", { session: name, error }));
      },
    });
    this.intake = new Intake({
      agents: localAgents,
      // A starting bridge takes over active jobs only of agents that live on this host alone (docs/MULTI-HOST.md).
      reconcile: localAgents.filter((agent) => hostsOfAgent(agent).length <= 1),
      workers,
      admission: this.admission,
      runner,
      park: (job, token) => asks.park(job, token),
      ledger,
      redis,
      connect,
      log,
    });
  }

  static async start(options: BridgeOptions): Promise<Bridge> {
    const bridge = new Bridge(options, await SessionManager.open(options.paths));
    try {
      await bridge.sandboxes.check();
      await bridge.supervisor.start();
      await bridge.intake.start();
      bridge.requests.start();
      bridge.calls.start();
    } catch (error) {
      await bridge.close();
      throw error;
    }
    return bridge;
  }

  /** Live view of the sessions, for status output in the same process. */
  get agentSessions(): readonly AgentSession[] {
    return this.sessions.all;
  }

  /**
   * Stops taking jobs and lets go of Redis and tmux; running jobs keep running in their panes. In order:
   * intake (no new job), what is in flight (holds' timers, interactive watchers, recordings), sessions, Redis.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.intake.close();
      await this.requests.close();
      await this.calls.close();
      this.admission.close();
      this.interactive.close();
      await this.recorder?.close();
      this.spares.close();
      this.acknowledger?.close();
      await this.supervisor.close();
      for (const connection of this.connections) connection.disconnect();
    })();
    return this.closing;
  }
}

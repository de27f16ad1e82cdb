import { Queue, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { join } from "node:path";
import { EventStream, Ledger, isTerminal, queueName, swarmRedactor, type AgentConfig, type HomePaths, type JobPayload, type LogFn, type SwarmConfig } from "../core/index.js";
import { inspectDispatch, shellCommand } from "../agents/index.js";
import { SessionManager } from "../sessions/index.js";
import { agentEnvironment, daemonSecrets } from "./agent-env.js";
import type { PromptContext } from "./agent-jobs.js";
import { refreshAgentLogin } from "./agent-login.js";
import { AgentSession } from "./agent-session.js";
import { Breakers } from "./breakers.js";
import { ConversationStore } from "./conversations.js";
import { SessionHeartbeat } from "./heartbeat.js";
import { InteractiveClaude } from "./interactive.js";
import { FlightRecorder } from "./flight-recorder.js";
import { JobRunner } from "./job-runner.js";
import { Parking } from "./parking.js";
import { ProgramVersions } from "./program-versions.js";
import { SessionRegistry } from "./registry.js";
import { Sandboxes } from "./sandbox.js";
import { SessionPool } from "./session-pool.js";
import { SessionRequests } from "./session-requests.js";
import { promptNonceOf, shellPaneStart } from "./shell-pane.js";
import { DEFAULT_TUNING, workerOptions, type BridgeTuning } from "./tuning.js";
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
  readonly log?: LogFn;
  readonly tuning?: Partial<BridgeTuning>;
  /** The environment agents start from (default: this process's); the swarm's own variables are removed from it (agent-env.ts). */
  readonly env?: NodeJS.ProcessEnv;
  /** Context for program agents' prompts (the history's memory entries). */
  readonly promptContext?: PromptContext;
  /** Record each task's pane as asciicast in `<home>/output/<id>.cast` (the flight recorder); default true. */
  readonly record?: boolean;
}

const PROBE_TIMEOUT_MS = 10_000;

/**
 * The AgentBridge: one BullMQ worker per agent (concurrency = replicas) feeding
 * that agent's tmux sessions through a JobRunner. Closing it leaves the panes
 * and their running jobs alone; the next bridge re-adopts them.
 */
export class Bridge {
  private readonly workers: Worker[] = [];
  private readonly pools = new Map<string, SessionPool>();
  private readonly byName = new Map<string, AgentSession>();
  private readonly connections: Redis[] = [];
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private readonly ledger: Ledger;
  private readonly events: EventStream;
  private readonly registry: SessionRegistry;
  private readonly runner: JobRunner;
  private readonly worktrees: Worktrees;
  private readonly parking: Parking;
  private readonly breakers: Breakers;
  private readonly interactive: InteractiveClaude;
  private readonly versions = new ProgramVersions();
  private readonly sandboxes: Sandboxes;
  private readonly recorder: FlightRecorder | null;
  private readonly log: LogFn;
  private closing: Promise<void> | null = null;
  private heartbeat: SessionHeartbeat | null = null;
  private sessionRequests: SessionRequests | null = null;
  private readonly tuning: BridgeTuning;

  private constructor(private readonly options: BridgeOptions, private sessions: SessionManager) {
    const redact = swarmRedactor(options.config.agents.map((agent) => agent.env));
    this.log = options.log ?? (() => undefined);
    this.ledger = new Ledger(options.redis, options.prefix, {
      redact,
      // The bridge turns these fields into files it reads and writes: they must point into this home.
      files: { outputDir: options.paths.outputDir, jobsDir: options.paths.jobsDir, agentsDir: join(options.paths.root, "agents") },
      onInvalid: (taskId, problems) => this.log("ledger.invalid-record", { taskId, problems: problems.join("; ") }),
    });
    this.events = new EventStream(options.redis, this.ledger.keys.events);
    this.registry = new SessionRegistry(options.redis, this.ledger.keys);
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.breakers = new Breakers({
      redis: options.redis,
      keys: this.ledger.keys,
      events: this.events,
      log: this.log,
      redact,
      settings: { threshold: this.tuning.breakerThreshold, openMs: this.tuning.breakerOpenMs, maxOpenMs: this.tuning.breakerMaxOpenMs },
      // Queue-wide, like the all-replicas-failed hold: jobs stay waiting, no attempt spent.
      hold: async (agent, ms) => void (await this.workerOf(agent)?.rateLimit(ms)),
    });
    this.worktrees = new Worktrees(options.paths.root);
    this.sandboxes = new Sandboxes({ config: options.config, home: options.paths.root, worktrees: this.worktrees });
    this.parking = new Parking({
      redis: options.redis,
      keys: this.ledger.keys,
      events: this.events,
      log: this.log,
      defaultMs: this.tuning.rateLimitParkMs,
      // Paused only in this process: a job taken just before waits in the runner (Parking.wait).
      pause: async (agent) => void (await this.workerOf(agent)?.pause(true)),
      resume: async (agent) => void (await this.workerOf(agent)?.resume()),
    });
    this.interactive = new InteractiveClaude({
      agents: options.config.agents,
      home: options.paths.root,
      registry: this.registry,
      events: this.events,
      conversations: new ConversationStore(options.redis, this.ledger.keys),
      log: this.log,
      hookFileMaxBytes: this.tuning.hookFileMaxBytes,
    });
    this.recorder = options.record === false ? null : new FlightRecorder({ outputDir: options.paths.outputDir, sessions: () => this.sessions, log: this.log });
    this.runner = new JobRunner({
      ledger: this.ledger,
      registry: this.registry,
      pools: this.pools,
      jobsDir: options.paths.jobsDir,
      outputDir: options.paths.outputDir,
      log: this.log,
      agents: { config: options.config.agents, home: options.paths.root, redis: options.redis, promptContext: options.promptContext },
      recycle: (session, reason) => this.recycle(session, reason),
      worktrees: this.worktrees,
      parking: this.parking,
      interactive: this.interactive,
      sandboxes: this.sandboxes,
      agentEnv: (agent) => this.agentEnv(agent),
      maxDispatches: this.tuning.maxDispatches,
      redact,
      recorder: this.recorder ?? undefined,
    });
  }

  static async start(options: BridgeOptions): Promise<Bridge> {
    const sessions = await SessionManager.open(options.paths);
    const bridge = new Bridge(options, sessions);
    try {
      await bridge.sandboxes.check();
      await bridge.startSessions();
      await bridge.startIntake();
    } catch (error) {
      await bridge.close();
      throw error;
    }
    return bridge;
  }

  /** Live view of the sessions, for status output in the same process. */
  get agentSessions(): readonly AgentSession[] {
    return [...this.byName.values()];
  }

  private async startSessions(): Promise<void> {
    const { config } = this.options;
    this.listen(this.sessions);
    for (const agent of config.agents) {
      const replicas: AgentSession[] = [];
      for (let n = 1; n <= agent.replicas; n++) {
        const session = new AgentSession(`${agent.name}-${n}`, agent.name, () => this.sessions);
        replicas.push(session);
        this.byName.set(session.name, session);
      }
      this.pools.set(agent.name, new SessionPool(agent.name, replicas));
    }
    await this.registry.prune([...this.byName.keys()]);
    await Promise.all([...this.byName.values()].map((session) => this.bringUp(session)));
  }

  private listen(manager: SessionManager): void {
    manager.on("marker", (paneId, fields) => {
      for (const session of this.byName.values()) if (session.ref?.paneId === paneId) session.onMarker(paneId, fields);
    });
    manager.on("session-gone", (name) => void this.onSessionGone(name, "its tmux session ended"));
    manager.on("server-gone", (reason) => {
      for (const name of this.byName.keys()) void this.onSessionGone(name, reason);
      this.scheduleServerRestart(0);
    });
  }

  /** The whole tmux server died (killed by hand, OOM): start a new one, then the sessions come back one by one. */
  private scheduleServerRestart(attempt: number): void {
    const timer = setTimeout(async () => {
      this.restartTimers.delete(timer);
      if (this.closing || this.sessions.alive) return;
      try {
        const manager = await SessionManager.open(this.options.paths);
        this.sessions = manager;
        this.listen(manager);
        this.log("tmux.restarted", { attempt });
      } catch (error) {
        this.log("tmux.restart-failed", { attempt, error });
        this.scheduleServerRestart(attempt + 1);
      }
    }, Math.min(30_000, 250 * 2 ** attempt));
    this.restartTimers.add(timer);
  }

  /** Creates (or finds) the session's pane; adopts the job it is running, or handshakes with its shell. */
  private async bringUp(session: AgentSession): Promise<void> {
    const agent = this.options.config.agents.find((a) => a.name === session.agent)!;
    const cwd = await this.worktrees.prepare(agent, session.name);
    const login = refreshAgentLogin(agent, this.options.paths.root, this.log);
    // Interactive Claude: its TUI is the pane's own program (interactive.ts), not our shell.
    const interactive = this.interactive.handles(agent.name);
    const alive = interactive && (await this.sessions.list()).some((pane) => pane.session === session.name);
    const env = this.agentEnv(agent);
    const launch = interactive ? await this.interactive.launch(session, cwd, alive) : null;
    const shell = launch ? null : shellPaneStart(session.name, env);
    // A sandboxed interactive program runs inside bwrap as the pane's own program; a shell pane sandboxes each task (ca-run).
    const command = launch ? [...(this.sandboxes.forProgram(agent, session.name, launch.exposed) ?? []), ...launch.command] : shellCommand(this.options.paths);
    const paneEnv = launch ? { ...env, ...launch.env } : shell!.env;
    const { ref, created } = await this.sessions.ensure({ name: session.name, cwd, env: paneEnv, command });
    const nonce = shell ? promptNonceOf(shell, ref, created) : null;
    session.attach(ref, nonce);
    if (interactive) await this.interactive.started(session, created);
    if (interactive && login && !login.ok) this.interactive.setState(session, "needs-login");
    const running = created ? null : await this.registry.currentTask(session.name);
    const record = running ? await this.ledger.get(running) : null;
    // Still running in this very pane (or finished there unseen), whatever the ledger's status: after an
    // infrastructure error (our tmux client died, not the pane) it says "queued" while a retry is pending.
    const inPane =
      record !== null && !isTerminal(record.status) && record.session === session.name && record.dispatch !== null &&
      record.pane === `${ref.paneId}:${ref.panePid}` && (interactive || ["running", "finished"].includes(inspectDispatch(this.options.paths.jobsDir, record.dispatch).kind));
    if (record && inPane) {
      // The job is still ours to watch; BullMQ's re-delivery will find it in flight.
      const pool = this.pools.get(session.agent)!;
      pool.occupy(session, record.id);
      void this.runner
        .run(record.id)
        .catch((error) => this.log("job.adopt-failed", { taskId: record.id, error }))
        .finally(() => {
          // The runner may have finished from the exit file without ever taking the session.
          if (session.currentTask === record.id) pool.release(session);
          void this.registry.publish(session).catch(() => undefined);
        });
    } else {
      if (shell && nonce === null && process.platform === "linux") {
        // A shell started by an older claude-agent: its ca-run knows neither sandboxes nor prompt nonces. Idle: start it anew.
        this.log("session.outdated", { session: session.name });
        await this.sessions.kill(session.name);
        return this.bringUp(session);
      }
      if (!interactive) await session.probe(PROBE_TIMEOUT_MS);
      session.state = "idle";
      session.currentTask = null;
    }
    await this.registry.publish(session);
    await this.events.publish("agent.up", { agent: session.agent, session: session.name });
    // The program's version, for `status` and its drift warnings; asked in the background, not to delay the start.
    void this.versions.of(agent).then((version) => {
      if (version === null || version === session.programVersion) return;
      session.programVersion = version;
      return this.registry.publish(session);
    }).catch(() => undefined);
    this.pools.get(session.agent)?.wake();
  }

  /**
   * Jobs a dead bridge left active stay locked until their lock expires and
   * BullMQ's stalled check re-delivers them (10-15 s with our tuning). Their
   * tasks are picked up at once instead; the re-delivered job later finds the
   * task in flight or finished (the runner is idempotent by task id).
   */
  private async reconcileActiveJobs(): Promise<void> {
    for (const agent of this.options.config.agents) {
      const queue = new Queue<JobPayload>(queueName(agent.name), { connection: this.options.redis, prefix: this.ledger.keys.prefix });
      try {
        for (const job of await queue.getActive()) {
          const taskId = job.data?.taskId;
          if (typeof taskId !== "string") continue;
          this.log("job.reconciled", { taskId, agent: agent.name });
          void this.runner.run(taskId).catch((error) => this.log("job.reconcile-failed", { taskId, error }));
        }
      } finally {
        await queue.close();
      }
    }
  }

  private async startIntake(): Promise<void> {
    await this.reconcileActiveJobs();
    // A parking from before a restart holds on: new workers start paused (a job taken meanwhile waits in the runner).
    await this.parking.restore(this.options.config.agents.map((agent) => agent.name));
    await this.breakers.restore(this.options.config.agents.map((agent) => agent.name));
    const prefix = this.ledger.keys.prefix;
    for (const agent of this.options.config.agents) {
      const connection = this.options.connect(`bridge:${agent.name}`);
      this.connections.push(connection);
      const worker = new Worker<JobPayload>(queueName(agent.name), (job) => this.process(job), {
        connection,
        prefix,
        ...workerOptions(agent.replicas, this.options.tuning),
      });
      worker.on("failed", (job, error) => void this.onJobFailed(job, error));
      worker.on("error", (error) => this.log("worker.error", { agent: agent.name, error }));
      this.workers.push(worker);
      if (this.parking.isParked(agent.name)) await worker.pause(true);
    }
    const subscriber = this.options.connect("bridge:cancel");
    this.connections.push(subscriber);
    // Without a listener ioredis prints "Unhandled error event" on every reconnect attempt while Redis is down.
    subscriber.on("error", (error: Error) => this.log("cancel-subscriber.error", { error }));
    subscriber.on("message", (_channel: string, taskId: string) => this.runner.cancel(taskId));
    await subscriber.subscribe(this.ledger.keys.cancelChannel);
    // A restart asked for by a client (TUI, CLI): killed here, brought back by the session-gone path.
    this.sessionRequests = new SessionRequests({ connect: this.options.connect, keys: this.ledger.keys, log: this.log, restart: async (name, reason) => {
      const session = this.byName.get(name);
      if (!session) throw new Error(`no session named ${name}`);
      await this.recycle(session, reason);
    } });
    this.sessionRequests.start();
    this.heartbeat = new SessionHeartbeat({
      sessions: () => this.byName.values(),
      registry: this.registry,
      onGone: (session, reason) => void this.onSessionGone(session.name, reason),
      log: this.log,
    }, this.tuning.sessionHeartbeatMs);
  }

  private async process(job: Job<JobPayload>): Promise<void> {
    const taskId = job.data?.taskId;
    if (typeof taskId !== "string") {
      this.log("job.malformed", { jobId: job.id, data: job.data });
      return;
    }
    const pool = this.pools.get(job.queueName.replace(/^agent-/, ""));
    if (pool && pool.sessions.every((session) => session.state === "failed")) {
      // Every replica is in a crash loop: park the agent's queue until the next probe rather
      // than take jobs no session can run (the job goes back to waiting, no attempt spent).
      await this.workerOf(pool.agent)?.rateLimit(this.tuning.failedProbeMs);
      throw Worker.RateLimitError();
    }
    const agent = pool?.agent ?? job.queueName.replace(/^agent-/, "");
    // An open circuit breaker holds the queue the same way until its probe time (breaker.ts).
    const admission = this.breakers.admit(agent);
    if (!admission.allowed) {
      await this.workerOf(agent)?.rateLimit(admission.retryInMs);
      throw Worker.RateLimitError();
    }
    await this.breakers.guard(agent, admission, {
      run: () => this.runner.run(taskId),
      read: async () => (this.closing ? null : this.ledger.get(taskId)),
      // A dead session is crash handling's business: it restarts it and marks a crash loop failed.
      excused: (record) => {
        const session = record.session ? this.byName.get(record.session) : undefined;
        return session !== undefined && !["idle", "busy"].includes(session.state);
      },
    });
  }

  private async onJobFailed(job: Job<JobPayload> | undefined, error: Error): Promise<void> {
    const taskId = job?.data?.taskId;
    if (!job || typeof taskId !== "string") return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    this.log("job.infra-error", { taskId, attempt: job.attemptsMade, final, error });
    if (final) {
      const record = await this.ledger.get(taskId);
      await this.ledger.finish(taskId, "failed", {
        exitCode: null,
        finishedAt: new Date().toISOString(),
        reason: `infrastructure failure after ${job.attemptsMade} attempts: ${error.message}`,
      }, record?.agent);
    } else {
      await this.ledger.update(taskId, { status: "queued" }, { type: "task.retrying", data: { message: error.message } });
    }
  }

  private async onSessionGone(name: string, reason: string): Promise<void> {
    const session = this.byName.get(name);
    if (!session || session.state === "down" || this.closing) return;
    session.markDown(reason);
    await this.registry.publish(session).catch(() => undefined);
    await this.events.publish("agent.down", { agent: session.agent, session: name, message: reason }).catch(() => undefined);
    this.scheduleRestart(session, 0);
  }

  /** Kills a session whose pane ignores Ctrl-C (and so the job stuck in it) and starts a fresh one in its place. */
  private async recycle(session: AgentSession, reason: string): Promise<void> {
    await this.sessions.kill(session.name); // forgotten by the manager first: no session-gone event of its own
    await this.onSessionGone(session.name, reason);
  }

  /**
   * Restarts a dead session with exponential backoff (0.5 s, 1 s, 2 s … 30 s).
   * A crash loop (crashLimit deaths within crashWindowMs) marks the session
   * `failed` and only probes it every failedProbeMs; when every replica of an
   * agent has failed, its queue is rate-limited until the next probe so that
   * its jobs wait instead of failing one after another.
   */
  private scheduleRestart(session: AgentSession, attempt: number): void {
    if (attempt === 0) {
      const now = Date.now();
      session.crashes = [...session.crashes.filter((at) => now - at < this.tuning.crashWindowMs), now];
      if (session.crashes.length >= this.tuning.crashLimit && session.state !== "failed") void this.markFailed(session);
    }
    const delay = session.state === "failed" ? this.tuning.failedProbeMs : Math.min(30_000, 500 * 2 ** attempt);
    const timer = setTimeout(async () => {
      this.restartTimers.delete(timer);
      if (this.closing) return;
      try {
        if (!this.sessions.alive) throw new Error("tmux server is gone");
        session.restarts++;
        await this.bringUp(session);
      } catch (error) {
        this.log("session.restart-failed", { session: session.name, attempt, error });
        this.scheduleRestart(session, attempt + 1);
      }
    }, delay);
    this.restartTimers.add(timer);
  }

  private async markFailed(session: AgentSession): Promise<void> {
    session.state = "failed";
    const message = `${session.crashes.length} crashes within ${this.tuning.crashWindowMs / 1000} s; probing every ${this.tuning.failedProbeMs / 1000} s`;
    this.log("session.failed", { session: session.name, message });
    await this.registry.publish(session).catch(() => undefined);
    await this.events.publish("agent.failed", { agent: session.agent, session: session.name, message }).catch(() => undefined);
    const pool = this.pools.get(session.agent);
    if (pool && pool.sessions.every((s) => s.state === "failed")) await this.workerOf(session.agent)?.rateLimit(this.tuning.failedProbeMs);
  }

  /** What the agent's panes, tasks and gates get: no swarm variable, no daemon secret (agent-env.ts). */
  private agentEnv(agent: AgentConfig): Record<string, string> {
    return agentEnvironment(agent, { base: this.options.env ?? process.env, withheld: daemonSecrets(this.options.config, agent) });
  }

  private workerOf(agent: string): Worker | undefined {
    return this.workers.find((worker) => worker.name === queueName(agent));
  }

  /** Stops taking jobs and lets go of Redis and tmux; running jobs keep running in their panes. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const timer of this.restartTimers) clearTimeout(timer);
      this.heartbeat?.stop();
      await this.sessionRequests?.close();
      this.parking.close();
      this.interactive.close();
      await Promise.allSettled(this.workers.map((worker) => worker.close(true)));
      await this.recorder?.close();
      await this.sessions.close();
      for (const connection of this.connections) connection.disconnect();
    })();
    return this.closing;
  }
}


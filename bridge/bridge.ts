import type { Redis } from "ioredis";
import { SessionManager } from "../sessions/index.js";
import { hostsOfAgent, placements, type Acknowledger, type SpareFiles } from "../core/index.js";
import type { InteractivePrograms } from "../agents/index.js";
import type { AdmissionControl } from "./admission/index.js";
import { buildAdmission, policyCalls } from "./admission-wiring.js";
import { bridgeBase, type BridgeOptions } from "./bridge-base.js";
import { buildDispatch } from "./dispatch-wiring.js";
import type { FlightRecorder } from "./flight-recorder.js";
import { AgentWorkers, Intake } from "./intake/index.js";
import type { PolicyCalls } from "./policy-calls.js";
import { buildPrograms } from "./programs-wiring.js";
import { sessionRequests } from "./requests-wiring.js";
import { Sandboxes } from "./sandbox.js";
import type { SessionRequests } from "./session-requests.js";
import { AgentSessions, SessionStates, type AgentSession } from "./sessions/index.js";
import { SessionSupervisor, TmuxWatch } from "./supervision/index.js";
import { Worktrees } from "./worktrees.js";

export type { BridgeOptions } from "./bridge-base.js";

/**
 * The AgentBridge, as a composition: intake (one BullMQ worker per agent)
 * puts each job to admission (run, hold or refuse) and hands it to the
 * runner, which types it into a free session of the agent; supervision keeps
 * the sessions up. Each part's wiring is its own function (the *-wiring.ts
 * files); this class puts them in order and keeps what start and close need.
 * Closing it leaves the panes and their running jobs alone; the next bridge
 * re-adopts them.
 */
export class Bridge {
  /** Every connection the parts made (base.connect), let go of last. */
  private readonly connections: readonly Redis[];
  private readonly sessions: AgentSessions;
  private readonly sandboxes: Sandboxes;
  private readonly interactive: InteractivePrograms;
  private readonly recorder: FlightRecorder | null;
  private readonly spares: SpareFiles;
  private readonly acknowledger: Acknowledger | null;
  private readonly admission: AdmissionControl;
  private readonly supervisor: SessionSupervisor;
  private readonly intake: Intake;
  private readonly requests: SessionRequests;
  private readonly calls: PolicyCalls;
  private closing: Promise<void> | null = null;

  private constructor(options: BridgeOptions, manager: SessionManager) {
    const base = bridgeBase(options);
    const { config, paths, redis, keys, ledger, events, tuning, host, local, localAgents, connect, log } = base;
    this.connections = base.connections;
    const states = new SessionStates(redis, keys, host ?? undefined);
    const tmux = new TmuxWatch(manager, { paths, log });
    this.sessions = new AgentSessions(config.agents, () => tmux.current, local);

    const workers = new AgentWorkers({
      connect,
      prefix: keys.prefix,
      tuning: options.tuning ?? {},
      log,
      concurrency: (agent) => local.get(agent.name)?.length ?? 0,
    });
    const admission = buildAdmission(base, workers, this.sessions);
    this.admission = admission.control;
    this.calls = policyCalls(base, this.sessions);

    const worktrees = new Worktrees(paths.root);
    this.sandboxes = new Sandboxes({ config, home: paths.root, worktrees });
    const programs = buildPrograms(base, states, this.sessions);
    this.interactive = programs.interactive;
    const dispatch = buildDispatch(
      base,
      {
        tmux,
        sessions: this.sessions,
        states,
        programs,
        admission,
        worktrees,
        sandboxes: this.sandboxes,
        recycle: (session, reason, planned) => this.supervisor.recycle(session, reason, planned),
      },
      options,
    );
    const { runner } = dispatch;
    this.recorder = dispatch.recorder;
    this.spares = dispatch.spares;
    this.acknowledger = dispatch.acknowledger;

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
      agentEnv: base.agentEnv,
      crashLoop: (agent) => this.admission.crashLoop(agent),
      tuning,
      heartbeatMs: tuning.sessionHeartbeatMs,
      log,
      swarmSessions: placements(config).map((placed) => placed.session),
    });
    this.requests = sessionRequests(base, this.sessions, states, this.supervisor);
    this.intake = new Intake({
      agents: localAgents,
      // A starting bridge takes over active jobs only of agents that live on this host alone: an active job of
      // an agent placed on several hosts may be another host's, running there.
      reconcile: localAgents.filter((agent) => hostsOfAgent(agent).length <= 1),
      workers,
      admission: this.admission,
      runner,
      park: (job, token) => admission.asks.park(job, token),
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

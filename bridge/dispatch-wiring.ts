import { join } from "node:path";
import { Acknowledger, SpareFiles, spareCounts } from "../core/index.js";
import type { Admission } from "./admission-wiring.js";
import type { BridgeBase, BridgeOptions } from "./bridge-base.js";
import { createDispatcher, type DispatchDeps, type Dispatcher } from "./dispatch/index.js";
import { FlightRecorder } from "./flight-recorder.js";
import type { Programs } from "./programs-wiring.js";
import type { Sandboxes } from "./sandbox.js";
import type { AgentSessions, SessionStates } from "./sessions/index.js";
import type { TmuxWatch } from "./supervision/index.js";
import type { Worktrees } from "./worktrees.js";

/** What dispatch is built on that the bridge has built before it. */
export interface DispatchParts {
  readonly tmux: TmuxWatch;
  readonly sessions: AgentSessions;
  readonly states: SessionStates;
  readonly programs: Programs;
  readonly admission: Admission;
  readonly worktrees: Worktrees;
  readonly sandboxes: Sandboxes;
  /** Restarts a session's program: supervision's, which is built after dispatch (its re-adoption runs tasks). */
  readonly recycle: DispatchDeps["recycle"];
}

/** The dispatcher and what it holds that the bridge must close. */
export interface Dispatch {
  readonly runner: Dispatcher;
  readonly recorder: FlightRecorder | null;
  /** A finished dispatch's files, emptied, from which the next dispatch's and recording's are made. */
  readonly spares: SpareFiles;
  /** `redis.acknowledge`: a task is dispatched only once replicas hold its record. */
  readonly acknowledger: Acknowledger | null;
}

/**
 * Builds the dispatcher, which runs each admitted task in a free session of its agent, with what it keeps
 * beside the tasks: spare files sized for this host's sessions (so a dispatch or a recording reuses an
 * emptied file), the flight recorder (unless `record: false`, for the whole bridge or for an agent), and the
 * acknowledger when the swarm waits for replicas to hold a task's record before running it.
 */
export function buildDispatch(base: BridgeBase, parts: DispatchParts, options: Pick<BridgeOptions, "record" | "promptContext">): Dispatch {
  const { config, paths, redis, keys, events, ledger, tuning, redact, host, local, agentEnv, log } = base;
  const { tmux, sessions, states, programs, admission } = parts;
  const localSessions = [...local.values()].reduce((sum, replicas) => sum + replicas.length, 0);
  const spares = new SpareFiles(join(paths.jobsDir, ".spare"), spareCounts(localSessions));
  const unrecorded = new Set(config.agents.filter((agent) => agent.record === false).map((agent) => agent.name));
  const recorder = options.record === false ? null : new FlightRecorder({ outputDir: paths.outputDir, sessions: () => tmux.current, log, spares, unrecorded });
  const acknowledge = config.redis?.acknowledge;
  const acknowledger = acknowledge ? new Acknowledger(redis, keys, acknowledge) : null;
  const runner = createDispatcher({
    events,
    acknowledger,
    agents: config.agents,
    paths,
    ledger,
    states,
    pools: sessions.pools,
    conversations: programs.conversations,
    interactive: programs.interactive,
    worktrees: parts.worktrees,
    sandboxes: parts.sandboxes,
    parking: admission.parking,
    asks: admission.asks,
    accounts: programs.accounts,
    counted: (agent, taskId) => admission.budgets.counted(agent, taskId),
    recorder,
    spares,
    agentEnv,
    recycle: parts.recycle,
    promptContext: options.promptContext,
    maxDispatches: tuning.maxDispatches,
    redact,
    log,
    host,
  });
  return { runner, recorder, spares, acknowledger };
}

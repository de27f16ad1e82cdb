import type { Acknowledger, AgentConfig, EventStream, HomePaths, Ledger, LogFn, Redactor, SpareFiles, TaskRecord } from "../../core/index.js";
import type { Accounts } from "../accounts.js";
import type { Conversations, InteractivePrograms, ToolCall, Transport } from "../../agents/index.js";
import type { FlightRecorder } from "../flight-recorder.js";
import { JobChanges } from "../job-changes.js";
import type { Sandboxes } from "../sandbox.js";
import type { AgentSession, SessionPool, SessionStates } from "../sessions/index.js";
import type { Worktrees } from "../worktrees.js";
import { Dispatcher } from "./dispatcher.js";
import { Lifecycle } from "./lifecycle.js";
import { ProgramJobs, type PromptContext } from "./program-jobs.js";
import { replicatedBeforeDispatch } from "./replicated.js";
import { Settle } from "./settle.js";
import { ShellTransport } from "./shell-transport.js";
import { TaskRecords } from "./task-records.js";
import { publishToolCalls } from "./tool-audit.js";

export { Dispatcher } from "./dispatcher.js";
export type { PromptContext } from "./program-jobs.js";

export interface DispatchDeps {
  readonly agents: readonly AgentConfig[];
  readonly paths: HomePaths;
  readonly ledger: Ledger;
  readonly states: SessionStates;
  readonly pools: ReadonlyMap<string, SessionPool>;
  readonly conversations: Conversations;
  /** Agents whose program's own TUI is the pane's program: their transport is the program's. */
  readonly interactive: InteractivePrograms;
  readonly worktrees: Worktrees;
  readonly sandboxes: Sandboxes;
  /** Tasks held for a person's answer to their policy's `ask` (admission/policy-holds.ts). */
  readonly asks: ConstructorParameters<typeof Dispatcher>[0]["asks"];
  readonly parking: { wait(agent: string, signal: AbortSignal): Promise<void>; park(agent: string, resetAt: string | null): Promise<void> };
  /** Agents with `accounts:`: the account a run uses, and the move to the next one on a usage limit. */
  readonly accounts: Accounts;
  /** A task ended, or its figures were amended: its spend counts against the agent's budget (admission/budgets.ts). */
  readonly counted: (agent: string, taskId: string) => Promise<void>;
  readonly recorder: FlightRecorder | null;
  /** A finished dispatch's files, kept to make the next dispatch's and recording's from (core/spare-files.ts). */
  readonly spares: SpareFiles;
  readonly agentEnv: (agent: AgentConfig) => Record<string, string>;
  readonly recycle: (session: AgentSession, reason: string, planned?: boolean) => Promise<void>;
  readonly promptContext?: PromptContext;
  readonly maxDispatches: number;
  readonly redact: Redactor;
  /** The swarm's event stream: the tool calls of program agents go there for the audit log. */
  readonly events: EventStream;
  readonly log: LogFn;
  /** Swarms with `hosts:`: this bridge's host (tasks record where they ran). */
  readonly host: string | null;
  /** `redis.acknowledge`: a task is dispatched only once replicas hold its record (replicated.ts); null: at once. */
  readonly acknowledger: Acknowledger | null;
}

/** The dispatch side of the bridge, built once: the lifecycle, its records and settlement, and a transport per agent. */
export function createDispatcher(deps: DispatchDeps): Dispatcher {
  const { ledger, paths, pools, recorder, redact, log, worktrees, sandboxes, conversations, spares } = deps;
  const { jobsDir, outputDir, root: home } = paths;
  const agents = new Map(deps.agents.map((agent) => [agent.name, agent]));
  const records = new TaskRecords({ ledger, jobsDir, spares, pools, states: deps.states, recorder, redact, log, host: deps.host, counted: deps.counted });
  const settle = new Settle({
    agents: deps.agents,
    home,
    jobsDir,
    outputDir,
    ledger,
    worktrees,
    changes: new JobChanges(jobsDir, worktrees, outputDir, redact),
    log,
    onRateLimited: async ({ agent, session, account, resetAt }) => {
      const rotation = account ? await deps.accounts.limited(agent, account, resetAt) : null;
      if (rotation?.kind === "rerun") {
        // The conversation lives in the folder it was made in: a run in another folder starts a new one.
        if (session && !deps.accounts.sameFolder(agent, account!, rotation.account)) await conversations.clear(session);
        return rotation.account;
      }
      // Every account limited (or none to move to): parked as any agent is, until the earliest one lifts.
      await deps.parking.park(agent, rotation ? new Date(rotation.until).toISOString() : resetAt);
      return null;
    },
    sandboxes,
    agentEnv: deps.agentEnv,
  });
  const free = (session: AgentSession, taskId: string): AgentSession | null => {
    if (session.currentTask !== taskId) return null;
    pools.get(session.agent)?.release(session, taskId);
    return session;
  };
  const release = async (session: AgentSession, taskId: string): Promise<void> => {
    if (free(session, taskId)) await deps.states.publish(session);
  };
  const interactive = (agent: string): boolean => deps.interactive.forAgent(agent) !== null;
  // An interactive program keeps the account it was started with; a headless one takes the agent's at each dispatch.
  const accountFor = async (agent: string, session: AgentSession): Promise<string | null> =>
    interactive(agent) && deps.accounts.has(agent)
      ? ((await deps.accounts.launchedWith(agent, session.name)) ?? deps.accounts.current(agent))
      : deps.accounts.current(agent);
  const toolCalls = (record: TaskRecord, session: string | null, calls: readonly ToolCall[], dropped: number) =>
    publishToolCalls(deps.events, redact, record, session, calls, dropped);
  const lifecycle = new Lifecycle({ records, settle, registry: deps.states, recorder, redact, log, free, recycle: deps.recycle, accountFor, toolCalls });
  const programs = new ProgramJobs({
    agents: deps.agents,
    home,
    jobsDir,
    conversations,
    promptContext: deps.promptContext,
    accountRun: (agent, account) => deps.accounts.runOf(agent, account),
    toolCalls,
  });
  const shell = new ShellTransport({ agents, jobsDir, outputDir, spares, programs, sandboxes, redact, log });
  return new Dispatcher({
    ledger,
    records,
    lifecycle,
    registry: deps.states,
    pools,
    agents,
    transportOf: (agent): Transport<AgentSession> => deps.interactive.forAgent(agent.name)?.transport ?? shell,
    parking: deps.parking,
    ...(deps.acknowledger ? { replicated: replicatedBeforeDispatch(deps.acknowledger, ledger, log) } : {}),
    asks: deps.asks,
    recorder,
    release,
    recycle: deps.recycle,
    maxDispatches: deps.maxDispatches,
    staleAccount: async (agent, session) => {
      if (!interactive(agent.name) || !deps.accounts.has(agent.name)) return null;
      const [current, launched] = await Promise.all([deps.accounts.current(agent.name), deps.accounts.launchedWith(agent.name, session.name)]);
      return launched !== null && current !== launched ? `its program runs with account ${launched}; the agent's account is ${current} now` : null;
    },
    log,
  });
}

/**
 * Everything between a dispatch's exit and its task's terminal record:
 * what the agent program reported, the gate (and, for agent programs, a
 * re-prompt showing the gate's failure), what the task changed in its
 * worktree and the commit, and parking the agent's queue on a rate limit.
 *
 * A gate retry is a further dispatch of the same task in the same session,
 * token `<task>-<attempt>-g<n>`: the retry count lives in the token, so a
 * bridge that restarts mid-retry settles it exactly as this one would.
 */
import { appendFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { AgentConfig, Ledger, TaskRecord, TerminalStatus } from "../../core/index.js";
import type { BridgeLog } from "../log-events.js";
import type { TurnReport } from "../../agents/index.js";
import { gateFailureReason, gateRetryPrompt, runGate } from "../gates.js";
import type { JobChanges } from "../job-changes.js";
import { gateCommand } from "../policy-check.js";
import type { Sandboxes } from "../sandbox.js";
import type { Worktrees } from "../worktrees.js";

export type Settlement =
  | {
      readonly kind: "final";
      readonly status: TerminalStatus;
      readonly exitCode: number | null;
      readonly reason?: string;
      readonly fields: Record<string, string | number>;
      /**
       * Whether settling waited on anything outside this process's memory (a gate, the worktree's changes, a
       * usage limit): the task's record read just before may have changed since, so it is read again.
       */
      readonly waited: boolean;
    }
  /** Re-prompt the agent: a further turn, `prompt` as `token`, in the same session. */
  | { readonly kind: "retry"; readonly token: string; readonly prompt: string }
  /** Its account hit a usage limit and the agent has another one free: the task runs again, from the start, with that one. */
  | { readonly kind: "rerun"; readonly account: string };

export interface CompletionDeps {
  readonly agents: readonly AgentConfig[];
  readonly home: string;
  readonly jobsDir: string;
  readonly outputDir: string;
  readonly ledger: Ledger;
  readonly worktrees: Worktrees;
  readonly changes: JobChanges;
  readonly log: BridgeLog;
  /**
   * The agent's program hit a rate limit; `resetAt` (ISO) when it said when the limit lifts; `account`, the
   * account the run used (agents with `accounts:`). Returns the account to run the task again with, or null
   * when the agent is parked instead.
   */
  readonly onRateLimited: (limit: { agent: string; session: string | null; account: string | null; resetAt: string | null }) => Promise<string | null>;
  /** Gates of sandboxed agents run in their sandbox. */
  readonly sandboxes: Sandboxes;
  /** The agent's environment (agent-env.ts): a gate gets it, never the daemon's own. */
  readonly agentEnv: (agent: AgentConfig) => Record<string, string>;
}

export interface SettleContext {
  /** True when this task holds the session, so that a retry can be typed into it. */
  readonly canRetry: boolean;
  /** Aborted when the task is cancelled (stops a running gate). */
  readonly signal?: AbortSignal;
}

/** A gate never gets less than this, even when the task used up its time limit. */
const MIN_GATE_MS = 1000;
const RETRY_SUFFIX = /-g(\d+)$/;

export class Settle {
  private readonly byName: ReadonlyMap<string, AgentConfig>;

  constructor(private readonly deps: CompletionDeps) {
    this.byName = new Map(deps.agents.map((agent) => [agent.name, agent]));
  }

  /** Before a task's first dispatch into a session: the worktree snapshot its changes are measured against. */
  async before(record: TaskRecord, session: string): Promise<void> {
    const agent = this.byName.get(record.agent);
    if (!agent) return;
    try {
      await this.deps.changes.before(agent, session, record.id);
    } catch (error) {
      // The task still runs; only the report of what it changed will be missing.
      this.deps.log("job.snapshot-failed", { taskId: record.id, session, error });
    }
  }

  /**
   * A turn that ran to its end, as its program reported it: the rest of the
   * way is the same for every transport (parking, gate, changes, commit).
   */
  async settle(record: TaskRecord, session: string | null, token: string, report: TurnReport, context: SettleContext): Promise<Settlement> {
    const agent = this.byName.get(record.agent);
    const { exitCode } = report;
    let status: TerminalStatus = report.status;
    let reason = report.reason;
    const fields: Record<string, string | number> = { ...report.fields };
    const retry = retryOf(token);
    if (retry > 0) {
      fields.gateRetries = retry;
      this.appendRetryOutput(record.id, token, retry);
    }
    let waited = false;
    if (report.rateLimited) {
      waited = true;
      const resetAt = typeof report.fields.rateLimitResetAt === "string" ? report.fields.rateLimitResetAt : null;
      const limit = { agent: record.agent, session, account: record.account ?? null, resetAt };
      const next = await this.deps.onRateLimited(limit).catch((error) => (this.deps.log("agent.park-failed", { agent: record.agent, error }), null));
      if (next !== null) return { kind: "rerun", account: next };
    }
    const gate = agent ? gateCommand(record, agent) : null;
    if (status === "completed" && gate && agent && session) {
      waited = true;
      // Checked against the agent's policy before the dispatch (policy-check.ts); it runs where the task ran.
      const run = await runGate(gate, {
        cwd: this.deps.worktrees.cwdFor(agent, session),
        env: { ...this.deps.agentEnv(agent), CA_SESSION: session, CA_AGENT: agent.name, CA_TASK: record.id },
        sandbox: this.deps.sandboxes.forGate(agent, session),
        timeoutMs: Math.max(MIN_GATE_MS, await this.remainingMs(record)),
        signal: context.signal,
      });
      this.deps.log("gate.ran", { taskId: record.id, gate, exitCode: run.exitCode, durationMs: run.durationMs, timedOut: run.timedOut });
      if (run.exitCode !== 0) {
        const allowed = record.gateRetriesAllowed ?? agent.gateRetries;
        // A shell command would only fail the same way again; an agent program is shown the failure.
        const retryable = agent.runtime !== "shell" && !run.timedOut && !run.cancelled;
        if (retryable && retry < allowed && context.canRetry) {
          const next = `${token.replace(RETRY_SUFFIX, "")}-g${retry + 1}`;
          return { kind: "retry", token: next, prompt: gateRetryPrompt(run, retry + 1, allowed) };
        }
        status = run.timedOut ? "timeout" : run.cancelled ? "cancelled" : "failed";
        reason = gateFailureReason(run);
        fields.gateOutput = run.output;
      }
    }
    if (agent?.worktree) {
      waited = true;
      Object.assign(fields, await this.changesOf(record, session, status === "completed"));
    }
    return { kind: "final", status, exitCode, reason, fields, waited };
  }

  /** A task that was interrupted (time limit, cancel): what it changed, never committed. */
  async interrupted(record: TaskRecord, session: string | null): Promise<Record<string, string>> {
    return this.changesOf(record, session, false);
  }

  private async changesOf(record: TaskRecord, session: string | null, completed: boolean): Promise<Record<string, string>> {
    const agent = this.byName.get(record.agent);
    if (!agent?.worktree) return {};
    try {
      const commit = completed && (record.autoCommit ?? agent.commit);
      return await this.deps.changes.after(agent, session, record, commit);
    } catch (error) {
      // The task's outcome stands; only the report of its changes is missing.
      this.deps.log("job.changes-failed", { taskId: record.id, session, error });
      return {};
    } finally {
      this.deps.changes.forget(record.id);
    }
  }

  private async remainingMs(record: TaskRecord): Promise<number> {
    const current = await this.deps.ledger.get(record.id);
    const startedAt = current?.startedAt ? Date.parse(current.startedAt) : Date.now();
    return record.timeoutSec * 1000 - (Date.now() - startedAt);
  }

  /** The retry's pane output joins the task's output file, after the first run's. */
  private appendRetryOutput(taskId: string, token: string, retry: number): void {
    const file = join(this.deps.jobsDir, `${token}.out`);
    if (!existsSync(file)) return;
    const text = readFileSync(file, "utf8");
    appendFileSync(join(this.deps.outputDir, `${taskId}.log`), `\n── gate retry ${retry} ──\n${text}`);
    rmSync(file, { force: true }); // settled once: a re-delivery must not append it again
  }
}

function retryOf(token: string): number {
  const match = RETRY_SUFFIX.exec(token);
  return match ? Number(match[1]) : 0;
}

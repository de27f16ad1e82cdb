import { setTimeout as sleep } from "node:timers/promises";
import { InfraError, readRegularFile, type Ledger, type TaskRecord, type TerminalStatus } from "../core/index.js";
import { APPROVE_KEY, APPROVING_OPTION, INTERRUPT_KEY, clip, interactivePrompt, isLimitMessage, isLoginMessage, readClaudeScreen, readTurn, writePrompt, type ClaudeHookEvent } from "../agents/index.js";
import { jobDeadline } from "./deadline.js";
import type { AgentSession } from "./sessions/index.js";
import type { ClaudeChannel } from "./claude-channel.js";
import type { AgentFinish } from "./agent-jobs.js";
import type { ConversationStore } from "./conversations.js";
import type { InteractiveClaude } from "./interactive.js";
import type { FlightRecorder } from "./flight-recorder.js";
import type { JobCompletion } from "./job-completion.js";
import type { SessionPool } from "./sessions/index.js";
import type { SessionStates as SessionRegistry } from "./sessions/index.js";
import { settledTranscript } from "./transcript-wait.js";

/** Records a task's terminal state (JobRunner.finish). */
export type Finish = (record: TaskRecord, session: string | null, status: TerminalStatus, exitCode: number | null, reason?: string, extra?: Record<string, string | number>) => Promise<void>;

export interface InteractiveRunnerDeps {
  readonly ledger: Ledger;
  readonly registry: SessionRegistry;
  readonly claude: InteractiveClaude;
  readonly conversations: ConversationStore;
  readonly jobsDir: string;
  readonly log: (event: string, data: Record<string, unknown>) => void;
  readonly finish: Finish;
  /** What every runtime's finished dispatch goes through: parking, gate (and its re-prompt), worktree changes, commit. */
  readonly completion: JobCompletion;
  readonly recycle?: (session: AgentSession, reason: string) => Promise<void>;
  /** Records the pane (flight-recorder.ts); the prompt it records is redacted with `redact`. */
  readonly recorder?: FlightRecorder;
  readonly redact?: (text: string) => string;
}

/** Claude Code drops an Enter that comes with the paste; ~300 ms later it is taken (FIELD-NOTES). */
const PASTE_SETTLE_MS = 300;
/** How long one Enter gets to bring the UserPromptSubmit hook before it is pressed again. */
const SUBMIT_WAIT_MS = 1500;
const ENTER_TRIES = 3;
const CLEAR_TIMEOUT_MS = 10_000;
/** After Escape, the TUI shows its input box again within ~100 ms (measured); this is the bound, per try. */
const INTERRUPT_WAIT_MS = 3000;
const INTERRUPT_TRIES = 3;
/** The PermissionRequest hook runs before the dialog is drawn: wait this long for the dialog to approve it. */
const APPROVE_WAIT_MS = 5000;
/** How long the dialog may stay after the approving key before it is sent again, and how many times. */
const APPROVE_CONFIRM_MS = 2000;
const APPROVE_TRIES = 3;
const ANSWER_EDGE = 64 * 1024;
/** The transcript's last lines land a little after the hook (transcript-wait.ts); this bounds the wait. */
const TRANSCRIPT_WAIT_MS = 1000;

/**
 * Runs tasks in interactive Claude Code sessions. A task is a prompt pasted
 * into the TUI (bracketed paste, then Enter after a pause), acknowledged as
 * started only when the UserPromptSubmit hook shows it was submitted (Enter
 * is pressed again, a bounded number of times, if not). Its end is the Stop
 * hook, but it completes only if the agent wrote the result file the prompt
 * asked for: "turn ended" is not "task done". From there on a task settles
 * like any other (job-completion.ts): a failing gate pastes its output back
 * as a further prompt (token `<task>-<attempt>-g<n>`). Time limits and
 * cancels press Escape and wait for the input box; the pane stays usable.
 */
export class InteractiveRunner {
  constructor(private readonly deps: InteractiveRunnerDeps) {}

  handles(agent: string): boolean {
    return this.deps.claude.handles(agent);
  }

  private redacted(text: string): string {
    return this.deps.redact ? this.deps.redact(text) : text;
  }

  /** `text` is the task text to run (raw); `record.task` is its redacted copy. */
  async dispatch(record: TaskRecord, session: AgentSession, signal: AbortSignal, text = record.task): Promise<void> {
    const { claude, ledger, registry } = this.deps;
    const channel = claude.channel(session);
    const attempt = record.attempts + 1;
    const token = `${record.id}-${attempt}`;
    const resultFile = this.deps.claude.resultFile(record.agent, token);
    claude.clearResult(resultFile);
    // Write-ahead: a bridge that dies after this line finds the dispatch (resume below).
    const castFile = this.deps.recorder?.castFile(record.id);
    await ledger.update(record.id, { dispatch: token, session: session.name, pane: paneKey(session), attempts: attempt, outputFile: resultFile, castFile });
    await registry.publish(session);
    await this.deps.completion.before(record, session.name);
    const prompt = interactivePrompt(text, resultFile);
    const { promptFile } = writePrompt(this.deps.jobsDir, token, prompt);
    await this.deps.recorder?.start(record, session, this.redacted(prompt), null, attempt > 1 ? `attempt ${attempt}` : undefined);
    if (record.fresh) await this.clear(session, channel);
    const submitted = await this.submit(record, session, channel, promptFile, resultFile);
    const startedAt = Date.now();
    await ledger.update(
      record.id,
      { status: "running", startedAt: new Date(startedAt).toISOString(), session: session.name },
      { type: "task.started", data: { agent: record.agent, session: session.name, status: "running" } },
    );
    await this.watch({ ...record, attempts: attempt, dispatch: token, outputFile: resultFile }, session, channel, submitted, startedAt, signal);
  }

  /** A task an earlier bridge dispatched. Returns false when it must be dispatched again. */
  async resume(record: TaskRecord, pool: SessionPool, signal: AbortSignal): Promise<boolean> {
    const token = record.dispatch!;
    const session = record.session ? pool.get(record.session) : undefined;
    if (!session || session.state === "down" || !session.ref || paneKey(session) !== record.pane) {
      this.deps.log("job.lost-with-pane", { taskId: record.id, session: record.session, dispatch: token });
      return false;
    }
    const channel = this.deps.claude.channel(session);
    const submitted = channel.history.find((e) => isSubmission(e, this.deps.claude.resultFile(record.agent, token)));
    if (!submitted) {
      // Maybe pasted, never submitted: its text may sit in the input box. Only a new program is a clean slate.
      this.deps.log("job.unsubmitted", { taskId: record.id, session: session.name, dispatch: token });
      if (this.deps.recycle) await this.deps.recycle(session, "a restarted bridge found a prompt that was never submitted");
      return false;
    }
    this.deps.log("job.adopted", { taskId: record.id, session: session.name });
    pool.occupy(session, record.id);
    await this.deps.registry.publish(session);
    try {
      await this.deps.recorder?.start(record, session, "", null, "adopted by a restarted bridge: the output in between was not recorded");
      const startedAt = record.startedAt ? Date.parse(record.startedAt) : submitted.at;
      if (record.status !== "running") {
        await this.deps.ledger.update(record.id, { status: "running", startedAt: new Date(startedAt).toISOString() }, { type: "task.started", data: { agent: record.agent, session: session.name, status: "running" } });
      }
      await this.watch(record, session, channel, submitted, startedAt, signal);
    } finally {
      pool.release(session);
      await this.deps.registry.publish(session);
    }
    return true;
  }

  /** Pastes the prompt, then presses Enter until UserPromptSubmit shows it was taken. */
  private async submit(record: TaskRecord, session: AgentSession, channel: ClaudeChannel, promptFile: string, resultFile: string): Promise<ClaudeHookEvent> {
    const seen = channel.waitFor((e) => isSubmission(e, resultFile));
    seen.catch(() => undefined);
    const began = Date.now();
    let enters = 0;
    const submitted = await channel.input(async () => {
      await session.paste(promptFile);
      await sleep(PASTE_SETTLE_MS);
      for (let i = 0; i < ENTER_TRIES; i++) {
        await session.key("Enter");
        enters++;
        const event = await Promise.race([seen, sleep(SUBMIT_WAIT_MS).then(() => null)]);
        if (event) return event;
      }
      return null;
    });
    if (!submitted) {
      const screen = readClaudeScreen(await session.capture().catch(() => ""));
      const why = `the prompt was pasted and Enter pressed ${enters} times, but Claude Code never submitted it (its screen reads as ${screen.state})`;
      this.deps.log("job.not-submitted", { taskId: record.id, session: session.name, input: screen.input });
      this.deps.claude.noteDrift(session, "unconfirmed-prompt", why);
      // The text may still sit in the input box, and the next paste would join it: start the program anew.
      if (this.deps.recycle) await this.deps.recycle(session, why);
      throw new InfraError(`task ${record.id}: ${why}`, { context: { session: session.name } });
    }
    this.deps.log("job.submitted", { taskId: record.id, session: session.name, ms: Date.now() - began, enters });
    return submitted;
  }

  /** `fresh`: `/clear` starts a new conversation; its SessionStart hook (source "clear") confirms it. */
  private async clear(session: AgentSession, channel: ClaudeChannel): Promise<void> {
    const cleared = channel.waitFor((e) => e.event === "SessionStart" && e.source === "clear", { timeoutMs: CLEAR_TIMEOUT_MS, what: "/clear" });
    cleared.catch(() => undefined);
    await channel.input(() => session.type("/clear"));
    await cleared;
    if (channel.sessionId) await this.deps.conversations.set(session.name, channel.sessionId);
    await this.deps.claude.waitForScreen(session, (s) => s.state === "idle" && s.input === "", CLEAR_TIMEOUT_MS);
  }

  /** Waits for the turn's Stop (or StopFailure) hook, the time limit, a cancel or the pane's death. */
  private async watch(record: TaskRecord, session: AgentSession, channel: ClaudeChannel, submitted: ClaudeHookEvent, startedAt: number, signal: AbortSignal): Promise<void> {
    const isEnd = (e: ClaudeHookEvent) => (e.event === "Stop" || e.event === "StopFailure") && (submitted.promptId ? e.promptId === submitted.promptId : e.at >= submitted.at);
    const ended = channel.history.find(isEnd);
    const end = ended ? Promise.resolve(ended) : channel.waitFor(isEnd);
    end.catch(() => undefined);
    const approvals = this.autoApprove(record, session, channel);
    const deadline = jobDeadline(record.timeoutSec, startedAt, signal);
    try {
      const outcome = await Promise.race([end, deadline.reached]);
      if (typeof outcome !== "string") return await this.finishTurn(record, session, channel, outcome, signal);
      const before = readClaudeScreen(await session.capture().catch(() => ""));
      const usable = await this.interrupt(session, channel);
      const late = channel.history.find(isEnd);
      if (late) return await this.finishTurn(record, session, channel, late, signal); // it ended on its own just then
      // Idle at its input box with no Stop hook for the turn, even after the interrupt: the turn ended unseen.
      if (before.state === "idle") this.deps.claude.noteDrift(session, "turn-without-stop-hook", `task ${record.id}: idle on screen at its ${outcome}, but no Stop hook came`);
      const stuck = usable ? "" : "; it did not return to its input box after Escape, so its session was restarted";
      const reason = outcome === "timeout" ? `exceeded its time limit of ${record.timeoutSec}s and was interrupted${stuck}` : `cancelled while running${stuck}`;
      // What the agent produced so far is kept: its last text, tokens, conversation.
      const fields = await this.fieldsOf(channel, submitted.promptId, "interrupted");
      this.deps.claude.compact(session);
      await this.deps.finish(record, session.name, outcome, null, reason, { ...fields, ...(await this.deps.completion.interrupted(record, session.name)) });
      if (!usable) {
        if (this.deps.recycle) await this.deps.recycle(session, "Claude Code did not return to its input box after Escape");
        else session.markDown("Claude Code did not return to its input box after Escape");
      }
    } finally {
      deadline.dispose();
      approvals.dispose();
    }
  }

  /** The turn ended: its report, then the same settling as every runtime (gate, changes, parking). */
  private async finishTurn(record: TaskRecord, session: AgentSession, channel: ClaudeChannel, end: ClaudeHookEvent, signal: AbortSignal): Promise<void> {
    const token = record.dispatch ?? "";
    const report = await this.reportOf(record, session, channel, end);
    // The turn's hooks are all in (its Stop came last): cut the file back before the result is recorded.
    this.deps.claude.compact(session);
    const canRetry = session.currentTask === record.id && session.state === "busy";
    const settled = await this.deps.completion.settleReport(record, session.name, token, null, report, { canRetry, signal });
    if (settled.kind === "retry") return this.retry(record, session, channel, settled.token, settled.prompt, signal);
    if (isLoginMessage(`${end.lastMessage ?? ""}\n${end.error ?? ""}`)) this.deps.claude.setState(session, "needs-login");
    await this.deps.finish(record, session.name, settled.status, settled.exitCode, settled.reason, settled.fields);
  }

  /** Completed only with the result file written; StopFailure (an API error) fails with its message. */
  private async reportOf(record: TaskRecord, session: AgentSession, channel: ClaudeChannel, end: ClaudeHookEvent): Promise<AgentFinish> {
    if (end.sessionId) await this.deps.conversations.set(session.name, end.sessionId);
    const fields = await this.fieldsOf(channel, end.promptId, end.event === "Stop" ? { lastMessage: end.lastMessage ?? "" } : "failed", end.lastMessage);
    if (end.event === "StopFailure") {
      const message = end.lastMessage ?? end.error ?? "the model's reply failed";
      const limited = end.error === "rate_limit" || isLimitMessage(message);
      return { status: "failed", reason: limited ? `rate limited: ${message}` : message, fields, rateLimited: limited };
    }
    const resultFile = record.outputFile ?? this.deps.claude.resultFile(record.agent, record.dispatch ?? "");
    if (readText(resultFile) === null) {
      const reason = `the agent ended its turn without writing its result file ${resultFile}: the task is not done (its last message is the answer)`;
      return { status: "failed", reason, fields };
    }
    return { status: "completed", fields };
  }

  /** The gate failed: its output goes back to the agent as a further prompt in the same conversation and session, within the same time limit. */
  private async retry(record: TaskRecord, session: AgentSession, channel: ClaudeChannel, token: string, prompt: string, signal: AbortSignal): Promise<void> {
    const resultFile = this.deps.claude.resultFile(record.agent, token);
    this.deps.claude.clearResult(resultFile);
    // Write-ahead, as for the first dispatch: a restarted bridge re-adopts the retry by its token.
    await this.deps.ledger.update(record.id, { dispatch: token, pane: paneKey(session), outputFile: resultFile });
    const retryPrompt = interactivePrompt(prompt, resultFile);
    const { promptFile } = writePrompt(this.deps.jobsDir, token, retryPrompt);
    await this.deps.recorder?.start(record, session, this.redacted(retryPrompt), null, "its gate failed: the agent tries again");
    const submitted = await this.submit(record, session, channel, promptFile, resultFile);
    const current = await this.deps.ledger.get(record.id);
    const startedAt = current?.startedAt ? Date.parse(current.startedAt) : Date.now();
    await this.watch({ ...record, dispatch: token, outputFile: resultFile }, session, channel, submitted, startedAt, signal);
  }

  /**
   * Answer, tokens and turns of the prompt's turn, from the Stop hook and the
   * transcript, read once it shows how the turn ended: the Stop hook's last
   * message, or the interrupt (a failed turn: as it is).
   */
  private async fieldsOf(
    channel: ClaudeChannel,
    promptId: string | undefined,
    ending: { lastMessage: string } | "interrupted" | "failed",
    lastMessage?: string,
  ): Promise<Record<string, string | number>> {
    const fields: Record<string, string | number> = {};
    const settled = (text: string): boolean => {
      if (ending === "failed" || !promptId) return true;
      const turn = readTurn(text, promptId);
      return ending === "interrupted" ? turn.interrupted : turn.lastText.trim() === ending.lastMessage.trim();
    };
    const began = Date.now();
    // The path comes from the program's hook input: only a file in its own config folder is read.
    const path = channel.transcriptPath && this.deps.claude.ownsTranscript(channel.session.agent, channel.transcriptPath) ? channel.transcriptPath : null;
    const transcript = path && promptId ? await settledTranscript(path, settled, TRANSCRIPT_WAIT_MS) : null;
    this.deps.log("job.transcript", { session: channel.session.name, waitedMs: Date.now() - began, settled: transcript !== null && settled(transcript) });
    const turn = transcript !== null && promptId ? readTurn(transcript, promptId) : null;
    const answer = lastMessage ?? turn?.lastText ?? "";
    if (answer) fields.answer = clipAnswer(answer);
    if (channel.sessionId) fields.agentSessionId = channel.sessionId;
    if (turn?.inputTokens !== undefined) fields.inputTokens = turn.inputTokens;
    if (turn?.outputTokens !== undefined) fields.outputTokens = turn.outputTokens;
    if (turn && turn.turns > 0) fields.turns = turn.turns;
    return fields;
  }

  /**
   * `auto_approve`: a permission prompt (PermissionRequest hook) is answered
   * with APPROVE_KEY once the screen shows the dialog with "1. Yes" first;
   * anything else on screen is left for a person.
   */
  private autoApprove(record: TaskRecord, session: AgentSession, channel: ClaudeChannel): { dispose(): void } {
    if (!this.deps.claude.agent(record.agent)?.autoApprove || this.deps.claude.driftSuspected(record.agent)) return { dispose: () => undefined };
    // A prompt already open (a re-adopted task whose dialog came while no bridge watched).
    if (session.agentState === "needs-input") {
      const asked = [...channel.history].reverse().find((e) => e.event === "PermissionRequest");
      if (asked) void this.approve(record, session, channel, asked, 0).catch((error) => this.deps.log("job.approve-failed", { taskId: record.id, error }));
    }
    return channel.subscribe((event) => {
      const late = event.event === "Notification" && event.notificationType === "permission_prompt";
      if (event.event !== "PermissionRequest" && !late) return;
      void this.approve(record, session, channel, event, late ? 0 : APPROVE_WAIT_MS).catch((error) => this.deps.log("job.approve-failed", { taskId: record.id, error }));
    });
  }

  private async approve(record: TaskRecord, session: AgentSession, channel: ClaudeChannel, event: ClaudeHookEvent, waitMs: number): Promise<void> {
    await channel.input(async () => {
      // Drift suspected since the task started: the prompt is left to a person.
      if (this.deps.claude.driftSuspected(record.agent)) return;
      let screen = await this.deps.claude.waitForScreen(session, (s) => s.state === "needs-input", waitMs);
      // Claude Code 2.1.332 draws its permission dialog before it listens to keys: a digit sent at once
      // was seen lost (the dialog stayed until the next key, 12 s later). The key goes again while the
      // same dialog is still up after APPROVE_CONFIRM_MS, never into anything else.
      for (let attempt = 1; attempt <= APPROVE_TRIES; attempt++) {
        if (screen?.state !== "needs-input" || !APPROVING_OPTION.test(screen.question ?? "")) return;
        const question = screen.question;
        await session.key(APPROVE_KEY);
        this.deps.log("job.auto-approved", { taskId: record.id, session: session.name, tool: event.toolName, question: clip(question ?? "", 200), key: APPROVE_KEY, attempt });
        screen = await this.deps.claude.waitForScreen(session, (s) => s.state !== "needs-input" || s.question !== question, APPROVE_CONFIRM_MS);
        if (screen?.question !== question) return;
      }
    });
  }

  /** Escape until the input box is back (screen fallback: no hook reports an interrupt). */
  private async interrupt(session: AgentSession, channel: ClaudeChannel): Promise<boolean> {
    for (let i = 0; i < INTERRUPT_TRIES && session.ref; i++) {
      await channel.input(() => session.key(INTERRUPT_KEY)).catch(() => undefined);
      const screen = await this.deps.claude.waitForScreen(session, (s) => s.state === "idle", INTERRUPT_WAIT_MS).catch(() => null);
      if (screen?.state === "idle") {
        this.deps.claude.setState(session, "idle");
        return true;
      }
    }
    return false;
  }
}

/** Our prompt, recognised by its result file: the path holds the dispatch token (`<task>-<attempt>.md`). */
function isSubmission(event: ClaudeHookEvent, resultFile: string): boolean {
  return event.event === "UserPromptSubmit" && (event.prompt ?? "").includes(`\`${resultFile}\``);
}

function paneKey(session: AgentSession): string {
  return session.ref ? `${session.ref.paneId}:${session.ref.panePid}` : "";
}

/** The program may have put a symlink or a FIFO in place of its result file. */
function readText(file: string): string | null {
  return readRegularFile(file);
}

function clipAnswer(answer: string): string {
  if (answer.length <= ANSWER_EDGE * 2) return answer;
  return `${answer.slice(0, ANSWER_EDGE)}\n… [${answer.length - ANSWER_EDGE * 2} characters omitted; the whole answer is in the transcript] …\n${answer.slice(-ANSWER_EDGE)}`;
}

import { setTimeout as sleep } from "node:timers/promises";
import type { LogFn, TaskRecord } from "../../../core/index.js";
import { agentJobFiles, writePrompt } from "../../shell/job-files.js";
import {
  PaneUnusable,
  type Adopted,
  type AgentPane,
  type Conversations,
  type EndedTurn,
  type Found,
  type Interrupted,
  type PreparedTurn,
  type RunningTurn,
  type Transport,
  type TurnSpec,
} from "../../transport.js";
import type { PromptInboxDeps } from "../../interactive-program.js";
import type { ClaudeHookEvent } from "../hook-events.js";
import { interactivePrompt } from "../prompt.js";
import { readClaudeScreen } from "../screen-state.js";
import type { ClaudeChannel } from "./channel.js";
import { AutoApprover } from "./approvals.js";
import { INTERRUPT_KEY } from "./launch.js";
import { PromptWatch, type PromptDenial } from "./prompt-watch.js";
import type { InteractiveClaude } from "./sessions.js";
import { deniedReport, endedReport, interruptedFields } from "./turn-report.js";

export interface InteractiveTransportDeps {
  readonly claude: InteractiveClaude;
  readonly conversations: Conversations;
  readonly jobsDir: string;
  readonly log: LogFn;
  /** Permission prompts nobody auto-approves wait in the inbox (prompt-watch.ts); absent: for someone to attach. */
  readonly prompts?: PromptInboxDeps;
}

/** Claude Code drops an Enter that comes with the paste; ~300 ms later it is taken (measured on 2.1.x). */
const PASTE_SETTLE_MS = 300;
/** How long one Enter gets to bring the UserPromptSubmit hook before it is pressed again. */
const SUBMIT_WAIT_MS = 1500;
const ENTER_TRIES = 3;
const CLEAR_TIMEOUT_MS = 10_000;
/** After Escape, the TUI shows its input box again within ~100 ms (measured); this is the bound, per try. */
const INTERRUPT_WAIT_MS = 3000;
const INTERRUPT_TRIES = 3;

/**
 * Interactive Claude Code as a transport. A turn is a prompt pasted into the
 * TUI (bracketed paste, then Enter after a pause), taken as started only when
 * the UserPromptSubmit hook shows it was submitted (Enter is pressed again, a
 * bounded number of times, if not). Its end is the Stop hook, but it completes
 * only if the agent wrote the result file the prompt asked for: "turn ended"
 * is not "task done" (turn-report.ts settles what an end reports). Time
 * limits and cancels press Escape and wait for the input box; the pane stays
 * usable.
 */
export class InteractiveTransport implements Transport {
  private readonly approvals: AutoApprover;
  /** The running turns' prompt watches, closed (their items left open for the next bridge) with the transport. */
  private readonly watches = new Set<PromptWatch>();

  constructor(private readonly deps: InteractiveTransportDeps) {
    this.approvals = new AutoApprover(deps.claude, deps.log);
  }

  outputFile(spec: TurnSpec): string {
    return this.deps.claude.resultFile(spec.record.agent, spec.token);
  }

  async prepare(spec: TurnSpec): Promise<PreparedTurn> {
    const resultFile = this.outputFile(spec);
    this.deps.claude.clearResult(resultFile);
    const prompt = interactivePrompt(spec.text, resultFile);
    writePrompt(this.deps.jobsDir, spec.token, prompt);
    return { prompt, marker: null };
  }

  async start(spec: TurnSpec, _prepared: PreparedTurn, pane: AgentPane): Promise<RunningTurn> {
    const channel = this.deps.claude.channel(pane);
    if (spec.record.fresh && !spec.retry) await this.clear(pane, channel);
    const submitted = await this.submit(spec.record, pane, channel, spec.token);
    return this.running({ ...spec.record, dispatch: spec.token, outputFile: this.outputFile(spec) }, pane, channel, submitted);
  }

  inspect(): Found {
    return { kind: "running" }; // its hooks tell, and they are read through the pane's channel (adopt)
  }

  async adopt(record: TaskRecord, pane: AgentPane): Promise<Adopted> {
    const channel = this.deps.claude.channel(pane);
    const resultFile = this.deps.claude.resultFile(record.agent, record.dispatch ?? "");
    const submitted = channel.history.find((e) => isSubmission(e, resultFile));
    // Maybe pasted, never submitted: its text may sit in the input box. Only a new program is a clean slate.
    if (!submitted) return { kind: "lost", recycle: "a restarted bridge found a prompt that was never submitted" };
    return { kind: "running", turn: this.running(record, pane, channel, submitted), startedAt: submitted.at, marker: null };
  }

  async interrupt(spec: TurnSpec, turn: RunningTurn, pane: AgentPane, why: "timeout" | "cancelled"): Promise<Interrupted> {
    const channel = this.deps.claude.channel(pane);
    const before = readClaudeScreen(await pane.capture().catch(() => "")); // unreadable: a blank screen, not idle
    const usable = await this.escape(pane, channel);
    (turn as InteractiveTurn).stopAsking(why === "timeout" ? `task ${spec.record.id} timed out` : `task ${spec.record.id} was cancelled`);
    const ended = (turn as InteractiveTurn).endedAlready();
    // Idle at its input box with no Stop hook for the turn, even after the interrupt: the turn ended unseen.
    if (!ended && before.state === "idle")
      this.deps.claude.noteDrift(pane, "turn-without-stop-hook", `task ${spec.record.id}: idle on screen at its ${why}, but no Stop hook came`);
    const stuck = usable
      ? null
      : {
          note: "it did not return to its input box after Escape, so its session was restarted",
          recycle: "Claude Code did not return to its input box after Escape",
          killed: false,
        };
    return { ended, stuck };
  }

  private running(record: TaskRecord, pane: AgentPane, channel: ClaudeChannel, submitted: ClaudeHookEvent): InteractiveTurn {
    const isEnd = (e: ClaudeHookEvent) =>
      (e.event === "Stop" || e.event === "StopFailure") && (submitted.promptId ? e.promptId === submitted.promptId : e.at >= submitted.at);
    const seen = channel.history.find(isEnd);
    const end = seen ? Promise.resolve(seen) : channel.waitFor(isEnd);
    end.catch(() => undefined); // observed by the lifecycle's race
    const approvals = this.approvals.watch(record, pane, channel);
    const asking = this.watchPrompts(record, pane, channel, submitted.at);
    const ended = (event: ClaudeHookEvent): EndedTurn => ({ report: () => endedReport(this.deps, record, pane, channel, event) });
    const denied = (denial: PromptDenial): EndedTurn => ({ report: () => deniedReport(this.deps, pane, channel, submitted.promptId, denial) });
    return {
      end: Promise.race([end.then(ended), ...(asking ? [asking.denied.then(denied)] : [])]),
      endedAlready: () => {
        const late = channel.history.find(isEnd);
        return late ? ended(late) : null;
      },
      partial: () => interruptedFields(this.deps, pane, channel, submitted.promptId),
      stopAsking: (why) => asking?.stop(why),
      dispose: () => {
        approvals.dispose();
        asking?.stop(pane.running ? `the turn of task ${record.id} ended` : `session ${pane.name} went down`);
        if (asking) this.watches.delete(asking);
      },
    };
  }

  /** The bridge shuts down: prompt items stay open for the bridge that re-adopts the turns. */
  close(): void {
    for (const watch of this.watches) watch.close();
    this.watches.clear();
  }

  private watchPrompts(record: TaskRecord, pane: AgentPane, channel: ClaudeChannel, since: number): PromptWatch | null {
    if (!this.deps.prompts) return null;
    const watch = new PromptWatch({ ...this.deps.prompts, claude: this.deps.claude, log: this.deps.log }, record, pane, channel, since);
    this.watches.add(watch);
    return watch;
  }

  /** Pastes the prompt, then presses Enter until UserPromptSubmit shows it was taken. */
  private async submit(record: TaskRecord, pane: AgentPane, channel: ClaudeChannel, token: string): Promise<ClaudeHookEvent> {
    const resultFile = this.deps.claude.resultFile(record.agent, token);
    const seen = channel.waitFor((e) => isSubmission(e, resultFile));
    seen.catch(() => undefined); // raced below; a failed submission abandons it
    const began = Date.now();
    let enters = 0;
    const submitted = await channel.input(async () => {
      await pane.paste(agentJobFiles(this.deps.jobsDir, token).promptFile);
      await sleep(PASTE_SETTLE_MS);
      for (let i = 0; i < ENTER_TRIES; i++) {
        await pane.key("Enter");
        enters++;
        const event = await Promise.race([seen, sleep(SUBMIT_WAIT_MS).then(() => null)]);
        if (event) return event;
      }
      return null;
    });
    if (!submitted) {
      const screen = readClaudeScreen(await pane.capture().catch(() => "")); // unreadable: a blank screen, the drift below says why
      const why = `the prompt was pasted and Enter pressed ${enters} times, but Claude Code never submitted it (its screen reads as ${screen.state})`;
      this.deps.log("job.not-submitted", { taskId: record.id, session: pane.name, input: screen.input });
      this.deps.claude.noteDrift(pane, "unconfirmed-prompt", why);
      // The text may still sit in the input box, and the next paste would join it: start the program anew.
      throw new PaneUnusable(`task ${record.id}: ${why}`, why, pane.name);
    }
    this.deps.log("job.submitted", { taskId: record.id, session: pane.name, ms: Date.now() - began, enters });
    return submitted;
  }

  /** `fresh`: `/clear` starts a new conversation; its SessionStart hook (source "clear") confirms it. */
  private async clear(pane: AgentPane, channel: ClaudeChannel): Promise<void> {
    const cleared = channel.waitFor((e) => e.event === "SessionStart" && e.source === "clear", { timeoutMs: CLEAR_TIMEOUT_MS, what: "/clear" });
    cleared.catch(() => undefined); // awaited below, after the typing
    await channel.input(() => pane.type("/clear"));
    await cleared;
    if (channel.conversationId) await this.deps.conversations.set(pane.name, channel.conversationId);
    await this.deps.claude.waitForScreen(pane, (s) => s.state === "idle" && s.input === "", CLEAR_TIMEOUT_MS);
  }

  /** Escape until the input box is back (screen fallback: no hook reports an interrupt). */
  private async escape(pane: AgentPane, channel: ClaudeChannel): Promise<boolean> {
    for (let i = 0; i < INTERRUPT_TRIES && pane.running; i++) {
      await channel.input(() => pane.key(INTERRUPT_KEY)).catch((error) => this.deps.log("job.interrupt-key-failed", { session: pane.name, error }));
      const screen = await this.deps.claude.waitForScreen(pane, (s) => s.state === "idle", INTERRUPT_WAIT_MS).catch(() => null); // the pane went down: not usable
      if (screen?.state === "idle") {
        this.deps.claude.setState(pane, "idle");
        return true;
      }
    }
    return false;
  }
}

interface InteractiveTurn extends RunningTurn {
  /** The turn's end, if its hook has come (looked at after an interrupt). */
  endedAlready(): EndedTurn | null;
  /** A time limit or cancel stops it (`why`): its open inbox item is withdrawn before the interrupt closes the dialog. */
  stopAsking(why: string): void;
}

/** Our prompt, recognised by its result file: the path holds the dispatch token (`<task>-<attempt>.md`). */
function isSubmission(event: ClaudeHookEvent, resultFile: string): boolean {
  return event.event === "UserPromptSubmit" && (event.prompt ?? "").includes(`\`${resultFile}\``);
}

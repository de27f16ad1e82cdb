/**
 * How a task reaches an agent program and how its end comes back: the
 * interface between the bridge's one dispatch lifecycle (bridge/dispatch/)
 * and the ways programs are driven. Two transports exist: the shell pane
 * protocol (shell tasks, and headless programs run by an adapter's script)
 * and a program's own interactive TUI (agents/claude/interactive/). The
 * lifecycle records, races deadlines and cancels, settles and retries; a
 * transport only prepares, starts, adopts and interrupts one turn.
 */
import { InfraError, type AgentState, type TaskRecord, type TerminalStatus } from "../core/index.js";
import type { ToolCall } from "./tool-calls.js";

/** What a transport needs of a session's pane. The bridge's AgentSession is one. */
export interface AgentPane {
  readonly name: string;
  readonly agent: string;
  /** False while the pane is down, until the session is brought up again. */
  readonly running: boolean;
  /** `<pane id>:<pane pid>`, which tells one pane from its successor; "" while down. */
  readonly paneKey: string;
  /** An interactive program's state as its hooks and screen show it (null: a shell pane). */
  readonly agentState: AgentState | null;
  /** What the program asks while `needs-input`. */
  readonly needsInput: string | null;
  /** Why drift is suspected in this agent's program (null: none). */
  readonly drift: string | null;
  /** Sets the program's state; returns whether it changed (the caller publishes it). */
  setProgramState(state: AgentState, needsInput: string | null): boolean;
  /** Returns whether the reason changed. */
  setDrift(reason: string): boolean;
  paste(file: string): Promise<void>;
  capture(): Promise<string>;
  key(key: string): Promise<void>;
  type(line: string): Promise<void>;
  onDown(listener: (reason: string) => void): { dispose(): void };
}

/** The result fields a turn adds to its task's record (ledger field → value). */
export type ResultFields = Readonly<Record<string, string | number>>;

/** How a turn ended, as its program reported it. */
export interface TurnReport {
  readonly status: TerminalStatus;
  readonly exitCode: number | null;
  readonly reason?: string;
  readonly fields: ResultFields;
  /** The program hit a rate or usage limit: its agent's queue is held. */
  readonly rateLimited?: boolean;
  /**
   * Usage figures the program reports only after its turn ended (Claude Code's token counts land in
   * its transcript after the Stop hook): the result is recorded without waiting, and these are added
   * to the ended task's record when they come.
   */
  readonly late?: () => Promise<UsageFields>;
  /**
   * The tools the turn called, for the audit log, when the transport learns them itself (interactive Claude
   * Code's hooks); a headless program's calls are read from its event stream and audited there.
   */
  readonly toolCalls?: readonly ToolCall[];
  readonly toolCallsDropped?: number;
}

/** Figures that may be added to a task's record after its terminal state (core/ledger.ts amend). */
export interface UsageFields {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly turns?: number;
}

/** One turn of a task: its first dispatch, or a further prompt after its gate failed. */
export interface TurnSpec {
  /** The task; `record.task` is the redacted copy, what is shown and stored. */
  readonly record: TaskRecord;
  /** What the program is given, raw: the task text, or the gate's failure for a retry. */
  readonly text: string;
  readonly token: string;
  /** A gate's retry: the same conversation, shown as such in the pane. */
  readonly retry: boolean;
}

/** A turn whose files are written, ready to start. */
export interface PreparedTurn {
  /** What the program is given, raw; the flight recorder shows it redacted. */
  readonly prompt: string;
  /** Shell dispatches: the token and nonce the flight recorder labels the pane's output by. */
  readonly marker: { readonly token: string; readonly nonce: string } | null;
}

/** A turn that ran to its end; its report is read once. */
export interface EndedTurn {
  report(): Promise<TurnReport>;
}

/** A turn the program has taken. */
export interface RunningTurn {
  /** Its end; rejects with an InfraError when the pane dies. */
  readonly end: Promise<EndedTurn>;
  /** What it produced before an interrupt (conversation id, tokens so far, its last text). */
  partial(): Promise<ResultFields>;
  /** Stops whatever the transport does while the turn runs (auto-approval). */
  dispose(): void;
}

/** What a restarted bridge finds of a dispatch an earlier one started. */
export type Found =
  | { readonly kind: "ended"; readonly ended: EndedTurn }
  /** Still running (the caller checks that its pane is the same one). */
  | { readonly kind: "running" }
  /** Never started, or started in a pane that is gone: dispatch the task again. */
  | { readonly kind: "lost" };

export type Adopted =
  | {
      readonly kind: "running";
      readonly turn: RunningTurn /** When the program took it (ms since epoch), if known. */;
      readonly startedAt: number | null;
      readonly marker: PreparedTurn["marker"];
    }
  | { readonly kind: "ended"; readonly ended: EndedTurn; readonly marker: PreparedTurn["marker"] }
  /** It cannot be watched: dispatch it again (after restarting the session when `recycle` says why). */
  | { readonly kind: "lost"; readonly recycle?: string };

/** `Pane`: what the transport drives; `Prepared`: what its `prepare` hands its `start`. */
export interface Transport<Pane extends AgentPane = AgentPane, Prepared extends PreparedTurn = PreparedTurn> {
  /** The file the record's `outputFile` names from this turn on; null: it stays as it is. */
  outputFile(spec: TurnSpec): string | null;
  /** Writes the turn's files (script, prompt, result file cleared). */
  prepare(spec: TurnSpec, pane: Pane): Promise<Prepared>;
  /** Hands the turn to the program and confirms it took it; throws an InfraError when it did not. */
  start(spec: TurnSpec, prepared: Prepared, pane: Pane): Promise<RunningTurn>;
  /** From the dispatch files alone, before any pane is looked at. */
  inspect(record: TaskRecord): Found;
  /** Watches a running dispatch again in the pane that runs it. */
  adopt(record: TaskRecord, pane: Pane): Promise<Adopted>;
  /** Stops a turn at its time limit or a cancel. */
  interrupt(spec: TurnSpec, turn: RunningTurn, pane: Pane, why: "timeout" | "cancelled"): Promise<Interrupted>;
}

export interface Interrupted {
  /** The turn ended on its own just as it was interrupted: that is its outcome. */
  readonly ended: EndedTurn | null;
  /** Null: the pane is ready for the next task. Otherwise it is not, and the session is restarted. */
  readonly stuck: {
    /** Said in the task's reason. */
    readonly note: string;
    /** Why the session is restarted. */
    readonly recycle: string;
    /** The program died with its pane rather than being interrupted. */
    readonly killed: boolean;
  } | null;
}

/** The conversation each session continues: the program's own id for it, kept where a restarted bridge finds it. */
export interface Conversations {
  get(session: string): Promise<string | null>;
  set(session: string, id: string): Promise<void>;
  clear(session: string): Promise<void>;
}

/** A turn could not be started and left the pane in a state the next task must not meet: the session is restarted. */
export class PaneUnusable extends InfraError {
  constructor(
    message: string,
    readonly recycle: string,
    session: string,
  ) {
    super(message, { context: { session } });
  }
}

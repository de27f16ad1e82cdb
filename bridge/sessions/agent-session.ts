import type { AgentState, TerminalStatus } from "../../core/index.js";
import type { AgentPane } from "../../agents/index.js";
import type { SessionManager } from "../../sessions/index.js";
import { SessionPane } from "./session-pane.js";

export { WaitTimeout } from "./session-pane.js";

export type AgentSessionState = "starting" | "idle" | "busy" | "down" | "failed";

/**
 * One replica of an agent: a tmux session whose pane runs the agent's
 * program (SessionPane), and its state. The state changes only through the
 * methods here; `status` reads it as SessionStates publishes it.
 */
export class AgentSession extends SessionPane implements AgentPane {
  private _state: AgentSessionState = "starting";
  private _currentTask: string | null = null;
  private _completed = 0;
  private _failed = 0;
  private _restarts = 0;
  /** When the session's program died recently (ms since epoch), to tell a crash loop from a rare crash. */
  private crashTimes: readonly number[] = [];
  private _programVersion: string | null = null;
  private _drift: string | null = null;

  private _agentState: AgentState | null = null;
  private _needsInput: string | null = null;

  constructor(
    name: string,
    readonly agent: string,
    manager: () => SessionManager,
  ) {
    super(name, manager);
  }

  get state(): AgentSessionState {
    return this._state;
  }
  /** The task this session runs (kept while it is down: its pane may still run it, and a restart re-adopts it). */
  get currentTask(): string | null {
    return this._currentTask;
  }
  get completed(): number {
    return this._completed;
  }
  get failed(): number {
    return this._failed;
  }
  get restarts(): number {
    return this._restarts;
  }
  get crashes(): readonly number[] {
    return this.crashTimes;
  }
  /** Agent programs: what `--version` said when the session started. */
  get programVersion(): string | null {
    return this._programVersion;
  }
  /** Interactive agents: what the program is doing (its hooks and screen, read by its runtime in agents/). */
  get agentState(): AgentState | null {
    return this._agentState;
  }
  /** What the program asks while `needs-input`. */
  get needsInput(): string | null {
    return this._needsInput;
  }
  /** Interactive agents: why drift of the program's screens or hooks is suspected (null: not suspected). */
  get drift(): string | null {
    return this._drift;
  }

  /** Free for the next task. */
  markIdle(): void {
    this._state = "idle";
    this._currentTask = null;
  }

  /** Running `taskId` (taken from the pool, or re-adopted while its pane still runs it). */
  markBusy(taskId: string): void {
    this._state = "busy";
    this._currentTask = taskId;
  }

  /** In a crash loop: only probed now and then (supervision/restarts.ts). */
  markFailed(): void {
    this._state = "failed";
  }

  /** Its program died at `now`: remembers it and returns how many deaths fall within the last `windowMs`. */
  recordCrash(now: number, windowMs: number): number {
    this.crashTimes = [...this.crashTimes.filter((at) => now - at < windowMs), now];
    return this.crashTimes.length;
  }

  /** A restart is being attempted. */
  recordRestart(): void {
    this._restarts++;
  }

  /** A task this session ran ended with a result of its own. */
  recordResult(status: TerminalStatus): void {
    if (status === "completed") this._completed++;
    else this._failed++;
  }

  /** Returns whether it changed (and so needs publishing). */
  setProgramVersion(version: string): boolean {
    if (version === this._programVersion) return false;
    this._programVersion = version;
    return true;
  }

  /** Returns whether it changed (and so needs publishing). */
  setDrift(reason: string): boolean {
    if (reason === this._drift) return false;
    this._drift = reason;
    return true;
  }

  /** An interactive program's state; returns whether it changed (the caller publishes it). */
  setProgramState(state: AgentState, needsInput: string | null): boolean {
    if (this._agentState === state && this._needsInput === needsInput) return false;
    this._agentState = state;
    this._needsInput = needsInput;
    return true;
  }

  /** The pane is gone: everything waiting on it fails as an infrastructure error. */
  markDown(reason: string): void {
    this._state = "down";
    this.detach(reason);
  }
}

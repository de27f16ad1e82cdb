import { InfraError, type AgentState, type TerminalStatus } from "../../core/index.js";
import { parseShellMarker, type ShellMarker } from "../../agents/index.js";
import { shellInForeground, type PaneRef, type SessionManager } from "../../sessions/index.js";

interface Waiter {
  match(marker: ShellMarker): boolean;
  resolve(marker: ShellMarker): void;
  reject(error: Error): void;
}

export type AgentSessionState = "starting" | "idle" | "busy" | "down" | "failed";

/**
 * One replica of an agent: a tmux session whose pane runs the agent's
 * program. Markers from the pane wake whoever waits for them; no polling.
 */
export class AgentSession {
  private _state: AgentSessionState = "starting";
  private _currentTask: string | null = null;
  ref: PaneRef | null = null;
  private _completed = 0;
  private _failed = 0;
  private _restarts = 0;
  startedAt: string | null = null;
  private waiters = new Set<Waiter>();
  /** The nonce the pane's shell puts in its prompt markers (rc.ts); null: a pane of an older rcfile, whose markers carry none. */
  private promptNonce: string | null = null;

  /** When the session's program died recently (ms since epoch), to tell a crash loop from a rare crash. */
  private crashTimes: readonly number[] = [];

  /** Interactive agents: what the program is doing, and what it asks in `needs-input` (see interactive.ts). */
  agentState: AgentState | null = null;
  needsInput: string | null = null;
  private _programVersion: string | null = null;
  private _drift: string | null = null;
  private readonly downListeners = new Set<(reason: string) => void>();

  /** `manager` is looked up on every use: the tmux server (and so the manager) may be replaced. */
  constructor(readonly name: string, readonly agent: string, private readonly manager: () => SessionManager) {}

  attach(ref: PaneRef, promptNonce: string | null = null): void {
    this.ref = ref;
    this.promptNonce = promptNonce;
    this.startedAt = new Date().toISOString();
  }

  onMarker(paneId: string, fields: string[]): void {
    if (!this.ref || paneId !== this.ref.paneId) return;
    const marker = parseShellMarker(fields);
    if (!marker) return;
    // A prompt marker without the shell's nonce was printed by a task, not by the shell.
    if (marker.kind === "prompt" && this.promptNonce !== null && marker.nonce !== this.promptNonce) return;
    for (const waiter of [...this.waiters]) {
      if (!waiter.match(marker)) continue;
      this.waiters.delete(waiter);
      waiter.resolve(marker);
    }
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
  suspectDrift(reason: string): boolean {
    if (reason === this._drift) return false;
    this._drift = reason;
    return true;
  }

  /** The pane is gone: everything waiting on it fails as an infrastructure error. */
  markDown(reason: string): void {
    this._state = "down";
    this.ref = null;
    for (const waiter of this.waiters) waiter.reject(new InfraError(`session ${this.name} is gone: ${reason}`, { context: { session: this.name } }));
    this.waiters.clear();
    for (const listener of [...this.downListeners]) listener(reason);
  }

  /** Called when the pane goes down (for waits that are not on shell markers). */
  onDown(listener: (reason: string) => void): { dispose(): void } {
    this.downListeners.add(listener);
    return { dispose: () => void this.downListeners.delete(listener) };
  }

  /** Pastes a file's text (bracketed paste, no Enter; see SessionManager.paste). */
  async paste(file: string): Promise<void> {
    if (!this.ref) throw new InfraError(`session ${this.name} is not running`);
    await this.manager().paste(this.ref.paneId, file);
  }

  /** The pane's visible screen as text. */
  async capture(): Promise<string> {
    if (!this.ref) throw new InfraError(`session ${this.name} is not running`);
    return this.manager().capture(this.ref.paneId);
  }

  /**
   * Waits for a marker. The returned promise rejects with InfraError when the
   * pane dies, and with `timeoutError` (if any) after `timeoutMs`.
   */
  waitFor(match: (marker: ShellMarker) => boolean, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ShellMarker> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(waiter);
      };
      const onAbort = () => {
        cleanup();
        reject(options.signal?.reason ?? new Error("aborted"));
      };
      const waiter: Waiter = {
        match,
        resolve: (marker) => (cleanup(), resolve(marker)),
        reject: (error) => (cleanup(), reject(error)),
      };
      if (!this.ref) return reject(new InfraError(`session ${this.name} is not running`));
      if (options.signal?.aborted) return reject(options.signal.reason);
      this.waiters.add(waiter);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      if (options.timeoutMs !== undefined) timer = setTimeout(() => waiter.reject(new WaitTimeout()), options.timeoutMs);
    });
  }

  async type(line: string): Promise<void> {
    if (!this.ref) throw new InfraError(`session ${this.name} is not running`);
    await this.manager().type(this.ref.paneId, line);
  }

  async key(key: string): Promise<void> {
    if (!this.ref) throw new InfraError(`session ${this.name} is not running`);
    await this.manager().key(this.ref.paneId, key);
  }

  /**
   * Handshake: an empty line makes the shell print a fresh prompt (with its
   * marker). Bash keeps typeahead, so this is safe even while it starts up.
   */
  async probe(timeoutMs: number): Promise<void> {
    const prompt = this.waitFor((m) => m.kind === "prompt", { timeoutMs });
    await this.key("Enter").catch((error) => {
      prompt.catch(() => undefined);
      throw error;
    });
    await prompt;
  }

  /**
   * Whether the pane's shell holds its terminal again (no job of its own in
   * front); null when it cannot be told. See sessions/pane-process.ts.
   */
  shellInForeground(): boolean | null {
    return this.ref ? shellInForeground(this.ref.panePid) : null;
  }

  /**
   * Ctrl-C until the shell shows its prompt again and holds its terminal.
   * Text typed right after C-c is lost (the tty flushes typeahead), so the
   * caller must wait for this. A prompt marker alone is not enough: the
   * pane counts as free only when its shell is in the foreground again.
   */
  async interrupt(tries = 3, waitMs = 2000): Promise<boolean> {
    for (let i = 0; i < tries; i++) {
      const prompt = this.waitFor((m) => m.kind === "prompt" && this.shellInForeground() !== false, { timeoutMs: waitMs });
      try {
        await this.key("C-c");
        await prompt;
        return true;
      } catch (error) {
        prompt.catch(() => undefined);
        if (!(error instanceof WaitTimeout)) return false;
      }
    }
    return false;
  }
}

export class WaitTimeout extends Error {
  constructor() {
    super("timed out waiting for the pane");
  }
}

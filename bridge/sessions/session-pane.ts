import { InfraError } from "../../core/index.js";
import { parseShellMarker, type ShellMarker } from "../../agents/index.js";
import { shellInForeground, type PaneRef, type SessionManager } from "../../sessions/index.js";

interface Waiter {
  match(marker: ShellMarker): boolean;
  resolve(marker: ShellMarker): void;
  reject(error: Error): void;
}

/**
 * A session's tmux pane as the bridge drives it: typing, keys, pastes, the
 * screen, and waits on the shell markers it prints (they wake whoever waits
 * for them; no polling). AgentSession adds the session's state to it.
 */
export class SessionPane {
  private paneRef: PaneRef | null = null;
  private attachedAt: string | null = null;
  private readonly waiters = new Set<Waiter>();
  /** The nonce the pane's shell puts in its prompt markers (rc.ts); null: a pane of an older rcfile, whose markers carry none. */
  private promptNonce: string | null = null;
  private readonly downListeners = new Set<(reason: string) => void>();

  /** `manager` is looked up on every use: the tmux server (and so the manager) may be replaced. */
  constructor(
    readonly name: string,
    private readonly manager: () => SessionManager,
  ) {}

  /** The pane this session runs in (null while it is down). */
  get ref(): PaneRef | null {
    return this.paneRef;
  }

  /** When its pane was last attached (ISO). */
  get startedAt(): string | null {
    return this.attachedAt;
  }

  get running(): boolean {
    return this.ref !== null;
  }

  /** `<pane id>:<pane pid>`: tells this pane from a successor of the same session; "" while down. */
  get paneKey(): string {
    return this.ref ? `${this.ref.paneId}:${this.ref.panePid}` : "";
  }

  attach(ref: PaneRef, promptNonce: string | null = null): void {
    this.paneRef = ref;
    this.promptNonce = promptNonce;
    this.attachedAt = new Date().toISOString();
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

  /** The pane is gone: everything waiting on it fails as an infrastructure error. */
  protected detach(reason: string): void {
    this.paneRef = null;
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

  async type(line: string, options: { clearLine?: boolean } = {}): Promise<void> {
    if (!this.ref) throw new InfraError(`session ${this.name} is not running`);
    await this.manager().type(this.ref.paneId, line, options);
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
      prompt.catch(() => undefined); // given up on: its rejection (timeout, pane gone) must not go unhandled
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
        prompt.catch(() => undefined); // given up on: its rejection (timeout, pane gone) must not go unhandled
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

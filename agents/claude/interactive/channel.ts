import { InfraError, type AgentState } from "../../../core/index.js";
import type { AgentPane } from "../../transport.js";
import { questionOf, type ClaudeHookEvent } from "../hook-events.js";
import { HookFeed } from "./hook-feed.js";

interface Waiter {
  match(event: ClaudeHookEvent): boolean;
  resolve(event: ClaudeHookEvent): void;
  reject(error: Error): void;
}

export class HookTimeout extends Error {
  constructor(what: string) {
    super(`timed out waiting for ${what}`);
  }
}

/**
 * One interactive Claude session as its hooks describe it: the program's
 * conversation id and transcript, its AgentState (published through
 * `onChange`), waits for a hook, and the pane's single writer (every paste
 * and key goes through `input`, so an approval never lands inside a paste).
 */
export class ClaudeChannel {
  /** The program's id of the conversation it holds (Claude Code calls it its session id). */
  conversationId: string | null = null;
  transcriptPath: string | null = null;
  private readonly feed: HookFeed;
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(event: ClaudeHookEvent) => void>();
  /** This turn had a PermissionRequest hook (so its late Notification carries no news). */
  private turnAskedPermission = false;
  private writer: Promise<unknown> = Promise.resolve();
  private readonly downSubscription: { dispose(): void };

  constructor(
    readonly session: AgentPane,
    hookFile: string,
    private readonly onChange: (session: AgentPane) => void,
  ) {
    this.feed = new HookFeed(hookFile, (event) => this.apply(event));
    this.downSubscription = session.onDown((reason) => this.fail(reason));
  }

  /** Starts following the hook file; events already there are replayed (the state they leave is the current one). */
  open(): void {
    this.feed.open();
  }

  /** Between tasks: cuts the hook file back once it holds `maxBytes` (HookFeed.compact). */
  compact(maxBytes: number): boolean {
    return this.feed.compact(maxBytes);
  }

  get history(): readonly ClaudeHookEvent[] {
    return this.feed.history;
  }

  setState(state: AgentState, needsInput: string | null = null): void {
    if (this.session.setProgramState(state, needsInput)) this.onChange(this.session);
  }

  /** Every event as it arrives; returns its unsubscribe. */
  subscribe(listener: (event: ClaudeHookEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** The first event from now on that matches (earlier ones: see `history`). Rejects when the pane goes down. */
  waitFor(match: (event: ClaudeHookEvent) => boolean, options: { timeoutMs?: number; what?: string; signal?: AbortSignal } = {}): Promise<ClaudeHookEvent> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => waiter.reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error("aborted"));
      const cleanup = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = { match, resolve: (event) => (cleanup(), resolve(event)), reject: (error) => (cleanup(), reject(error)) };
      if (!this.session.running) return reject(new InfraError(`session ${this.session.name} is not running`));
      if (options.signal?.aborted) return onAbort();
      this.waiters.add(waiter);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.feed.drain(); // a missed inotify wake-up must not cost the job: look once more
          if (this.waiters.has(waiter)) waiter.reject(new HookTimeout(options.what ?? "a hook"));
        }, options.timeoutMs);
      }
    });
  }

  /** Runs `write` when no other write to the pane is under way: one writer per pane. */
  input<T>(write: () => Promise<T>): Promise<T> {
    const run = this.writer.then(write, write);
    this.writer = run.catch(() => undefined); // the caller gets the failure from `run`: the chain only orders writes
    return run;
  }

  /**
   * Stops following the file. Waits are left pending, like the shell's: a
   * bridge shutting down must not fail the tasks its panes keep running
   * (the next bridge re-adopts them).
   */
  close(): void {
    this.feed.close();
    this.downSubscription.dispose();
  }

  /** The pane went down: every wait fails as an infrastructure error. */
  private fail(reason: string): void {
    for (const waiter of [...this.waiters])
      waiter.reject(new InfraError(`session ${this.session.name} is gone: ${reason}`, { context: { session: this.session.name } }));
    // Not published: the session's own down state is, and a restart publishes what the new program does.
    this.session.setProgramState("starting", null);
  }

  /** The state a hook leaves the program in (docs/INTERACTIVE.md has the table). */
  private apply(event: ClaudeHookEvent): void {
    if (event.conversationId) this.conversationId = event.conversationId;
    if (event.transcriptPath) this.transcriptPath = event.transcriptPath;
    switch (event.event) {
      case "UserPromptSubmit":
        this.turnAskedPermission = false;
        this.setState("working");
        break;
      case "PermissionRequest":
        this.turnAskedPermission = true;
        this.setState("needs-input", questionOf(event));
        break;
      case "Notification": {
        // Its permission_prompt comes ~6 s after PermissionRequest (maybe after the answer): news only without one.
        const question = questionOf(event);
        const stale = event.notificationType === "permission_prompt" && (this.turnAskedPermission || this.session.agentState !== "working");
        if (question && !stale) this.setState("needs-input", question);
        break;
      }
      case "PostToolUse":
      case "PostToolUseFailure":
      case "PermissionDenied":
        if (this.session.agentState === "needs-input") this.setState("working");
        break;
      case "Stop":
        this.setState("done");
        break;
      case "StopFailure":
        this.setState("error", null);
        break;
    }
    for (const listener of [...this.listeners]) listener(event);
    for (const waiter of [...this.waiters]) if (waiter.match(event)) waiter.resolve(event);
  }
}

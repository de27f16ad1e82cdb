import type { LogFn } from "../core/index.js";
import { SessionManager, tmuxServerRunning, type Disposable } from "../sessions/index.js";
import { Refresher } from "./refresher.js";
import type { DashboardState } from "./state.js";

export interface PaneMirrorOptions {
  readonly socket: string;
  readonly tmuxConf: string;
  /** Captures of the selected pane never come closer together than this. */
  readonly minIntervalMs: number;
  /** How often to look for the swarm's tmux server while it is not there. */
  readonly probeMs: number;
}

/**
 * Mirrors the selected agent's pane, colours included. The tmux control
 * client streams every pane's output; output of the selected pane only marks
 * the mirror stale, and a stale mirror is re-captured (`capture-pane -e`) at
 * most once per interval. A quiet pane costs nothing: no timer, no capture.
 */
export class PaneMirror {
  private manager: SessionManager | null = null;
  private subscriptions: Disposable[] = [];
  private readonly refresher: Refresher;
  private probeTimer: NodeJS.Timeout | null = null;
  private opening = false;
  private suspended = false;
  private closed = false;

  constructor(
    private readonly state: DashboardState,
    private readonly changed: () => void,
    private readonly log: LogFn,
    private readonly options: PaneMirrorOptions,
  ) {
    this.refresher = new Refresher(() => this.capture(), {
      minIntervalMs: options.minIntervalMs,
      onError: (error) => log("pane.capture-error", { error }),
    });
  }

  start(): void {
    this.refresher.start();
    void this.open();
  }

  /** Shows another session (or none). */
  select(session: string | null): void {
    if (this.state.pane.session === session) return;
    this.state.pane = { session, paneId: null, capture: null, note: session ? "loading…" : "no agent selected", capturedAt: 0 };
    this.changed();
    this.refresher.request();
  }

  /** Sessions were (re)started: pane ids may have changed. */
  panesChanged(): void {
    this.state.pane.paneId = null;
    this.refresher.request();
    if (!this.manager) void this.open();
  }

  /** While the terminal belongs to `tmux attach`, nothing is captured. */
  suspend(): void {
    this.suspended = true;
  }

  resume(): void {
    this.suspended = false;
    this.refresher.request();
  }

  /** Runs one command through the control client, when there is one. */
  get sessions(): SessionManager | null {
    return this.manager;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    await this.refresher.stop();
    for (const s of this.subscriptions) s.dispose();
    await this.manager?.close();
    this.manager = null;
  }

  private async open(): Promise<void> {
    if (this.manager || this.opening || this.closed) return;
    this.opening = true;
    this.probeTimer = null;
    try {
      // Only join a server that runs: opening would otherwise start one, and the dashboard must not change the swarm.
      if (await tmuxServerRunning(this.options.socket)) {
        const manager = await SessionManager.open({ tmuxSocket: this.options.socket, tmuxConf: this.options.tmuxConf });
        if (this.closed) return void (await manager.close());
        this.manager = manager;
        this.subscriptions = [
          manager.on("output", (paneId) => {
            if (paneId === this.state.pane.paneId && !this.suspended) this.refresher.request();
          }),
          manager.on("session-gone", () => this.panesChanged()),
          manager.on("server-gone", (reason) => void this.lost(reason)),
        ];
        this.log("pane.tmux-connected", {});
        this.panesChanged();
      }
    } catch (error) {
      this.log("pane.tmux-open-failed", { error });
    } finally {
      this.opening = false;
    }
    if (!this.manager && !this.closed) {
      this.setNote("the swarm's tmux server is not running");
      this.probeTimer = setTimeout(() => void this.open(), this.options.probeMs);
    }
  }

  private async lost(reason: string): Promise<void> {
    this.log("pane.tmux-gone", { reason });
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
    const manager = this.manager;
    this.manager = null;
    await manager?.close().catch(() => undefined); // tmux is gone (logged above): nothing to close cleanly
    this.state.pane.paneId = null;
    void this.open();
  }

  private setNote(note: string): void {
    if (this.state.pane.note === note && this.state.pane.capture === null) return;
    this.state.pane = { ...this.state.pane, capture: null, note };
    this.changed();
  }

  private async capture(): Promise<void> {
    const { session } = this.state.pane;
    const manager = this.manager;
    if (!session || !manager || this.suspended) return;
    let paneId = this.state.pane.paneId;
    if (!paneId) {
      paneId = (await manager.list()).find((ref) => ref.session === session)?.paneId ?? null;
      if (this.state.pane.session !== session) return;
      if (!paneId) return this.setNote(`session ${session} has no pane (it may be restarting)`);
      this.state.pane.paneId = paneId;
    }
    try {
      const capture = await manager.capture(paneId, { escapes: true });
      if (this.state.pane.session !== session) return;
      this.state.pane = { session, paneId, capture, note: "", capturedAt: Date.now() };
    } catch (error) {
      this.log("pane.capture-failed", { session, paneId, error });
      this.state.pane = { session, paneId: null, capture: null, note: `the pane of ${session} is gone (it may be restarting)`, capturedAt: 0 };
    }
    this.changed();
  }
}

import { InfraError } from "../core/index.js";
import { ControlClient } from "./control-client.js";
import { Emitter, type Disposable } from "./emitter.js";
import { layoutPanes, tmuxQuote } from "./control-protocol.js";
import { MarkerScanner } from "./marker-scanner.js";
import { discardLaunchFile, writeLaunchFile, writeLauncher } from "./pane-launch.js";
import { ensureTmuxServer, HUB_SESSION, type TmuxServerPaths } from "./tmux-server.js";

export interface SessionSpec {
  readonly name: string;
  readonly cwd: string;
  /** The pane's whole environment: nothing of the tmux server's (the daemon's) is added to it, except TERM. */
  readonly env: Readonly<Record<string, string>>;
  /** argv of the pane's own program; exec'd by the pane's launcher, never parsed by tmux or a shell. */
  readonly command: readonly string[];
  readonly width?: number;
  readonly height?: number;
}

export interface PaneRef {
  readonly session: string;
  readonly windowId: string;
  readonly paneId: string;
  readonly panePid: number;
}

type ManagerEvents = {
  marker: [paneId: string, fields: string[]];
  output: [paneId: string, data: string];
  /** A pane's size changed (a person attached with another terminal size): `%layout-change`. */
  resize: [paneId: string, width: number, height: number];
  "session-gone": [name: string];
  "server-gone": [reason: string];
};

const LIST_FORMAT = "#{session_name}\t#{window_id}\t#{pane_id}\t#{pane_pid}";

/**
 * Owns the agent sessions on the private tmux server. Every agent window is
 * linked into the hub session, so a single control client streams the output
 * of all panes: no per-agent process, no polling. Knows nothing of jobs.
 */
export class SessionManager {
  private readonly events = new Emitter<ManagerEvents>();
  private readonly scanners = new Map<string, MarkerScanner>();
  private known = new Map<string, PaneRef>();
  private relist: Promise<void> | null = null;
  private closed = false;

  private constructor(
    private readonly client: ControlClient,
    private readonly shellDir: string | null,
  ) {
    client.on("output", (paneId, data) => this.onOutput(paneId, data));
    client.on("notification", (kind, args) => {
      if (kind === "sessions-changed" || kind.endsWith("window-close") || kind === "session-closed") this.scheduleRelist();
      if (kind === "layout-change") for (const pane of layoutPanes(args)) this.events.emit("resize", pane.paneId, pane.width, pane.height);
    });
    client.on("exit", (reason) => {
      if (!this.closed) this.events.emit("server-gone", reason);
    });
  }

  /** `shellDir` holds the pane launcher and the launch files (pane-launch.ts); without it (a viewer) no session can be created. */
  static async open(paths: TmuxServerPaths & { readonly shellDir?: string }): Promise<SessionManager> {
    await ensureTmuxServer(paths);
    if (paths.shellDir) writeLauncher(paths.shellDir);
    const manager = new SessionManager(new ControlClient(paths.tmuxSocket, HUB_SESSION), paths.shellDir ?? null);
    for (const ref of await manager.list()) manager.known.set(ref.session, ref);
    return manager;
  }

  get alive(): boolean {
    return this.client.alive;
  }

  on<K extends keyof ManagerEvents>(event: K, listener: (...args: ManagerEvents[K]) => void): Disposable {
    return this.events.on(event, listener);
  }

  /** Agent sessions (the hub excluded) with their single pane. */
  async list(): Promise<PaneRef[]> {
    const lines = await this.client.run(["list-panes", "-a", "-F", LIST_FORMAT]);
    const refs = new Map<string, PaneRef>();
    for (const line of lines) {
      const [session, windowId, paneId, pid] = line.split("\t");
      if (!session || !windowId || !paneId || session === HUB_SESSION) continue;
      if (!refs.has(session)) refs.set(session, { session, windowId, paneId, panePid: Number(pid) });
    }
    return [...refs.values()];
  }

  get(name: string): PaneRef | undefined {
    return this.known.get(name);
  }

  /** Creates the session unless it exists; either way it is linked into the hub. */
  async ensure(spec: SessionSpec): Promise<{ ref: PaneRef; created: boolean }> {
    const existing = (await this.list()).find((ref) => ref.session === spec.name);
    if (existing) {
      this.known.set(spec.name, existing);
      await this.linkToHub(existing);
      return { ref: existing, created: false };
    }
    if (!this.shellDir) throw new InfraError(`cannot start session ${spec.name}: this session manager has no folder for launch files`);
    // Values from swarm.yaml go into the launch file, never into the tmux command (pane-launch.ts).
    const launch = writeLaunchFile(this.shellDir, spec.name, spec);
    let line: string | undefined;
    try {
      [line] = await this.client.run([
        "new-session",
        "-d",
        "-s",
        spec.name,
        "-x",
        String(spec.width ?? 200),
        "-y",
        String(spec.height ?? 50),
        "-P",
        "-F",
        "#{window_id}\t#{pane_id}\t#{pane_pid}",
        ...launch.argv,
      ]);
    } catch (error) {
      discardLaunchFile(launch.file);
      throw error;
    }
    const [windowId, paneId, pid] = (line ?? "").split("\t");
    if (!windowId || !paneId) {
      discardLaunchFile(launch.file);
      throw new InfraError(`tmux did not report the new session ${spec.name}`);
    }
    const ref: PaneRef = { session: spec.name, windowId, paneId, panePid: Number(pid) };
    this.scanners.set(paneId, new MarkerScanner());
    this.known.set(spec.name, ref);
    await this.linkToHub(ref);
    return { ref, created: true };
  }

  async kill(name: string): Promise<void> {
    const ref = this.known.get(name);
    this.known.delete(name);
    await this.client.run(["kill-session", "-t", `=${name}`]).catch(() => undefined); // gone already (or tmux with it): nothing to kill
    if (ref) await this.client.run(["kill-window", "-t", ref.windowId]).catch(() => undefined); // likewise
  }

  /**
   * Types literal text followed by a separate Enter key. `clearLine` first
   * empties a shell's input line (C-e C-u: to its end, then kill back to its
   * start), in the same tmux call: text a person left half-typed at the
   * prompt, or a terminal's answer to a query a task made (ESC [ row ; col R
   * for ESC [ 6 n), would otherwise be run glued to ours.
   */
  async type(paneId: string, text: string, options: { clearLine?: boolean } = {}): Promise<void> {
    const typed = `send-keys -t ${paneId} -l -- ${tmuxQuote(text)} ; send-keys -t ${paneId} Enter`;
    if (options.clearLine) await this.client.raw(`send-keys -t ${paneId} C-e C-u ; ${typed}`, 3);
    else await this.client.raw(typed, 2);
  }

  /**
   * Pastes a file's text into the pane as one bracketed paste
   * (`paste-buffer -p`), so a TUI takes it as pasted text, newlines and all,
   * instead of keystrokes (a typed newline would submit a half prompt). The
   * tmux server reads the file itself: no size limit of a command line. The
   * buffer is named after the pane and deleted by the paste (`-d`). No Enter:
   * Claude Code drops an Enter that arrives with the paste (`paste-buffer -p`
   * and Enter in one tmux call was not submitted; an Enter ~300 ms later was),
   * so the caller sends it separately, after a pause.
   */
  async paste(paneId: string, file: string): Promise<void> {
    const buffer = `ca-paste-${paneId.replace(/\W/g, "")}`;
    await this.client.raw(`load-buffer -b ${buffer} ${tmuxQuote(file)} ; paste-buffer -p -d -b ${buffer} -t ${paneId}`, 2);
  }

  async key(paneId: string, key: string): Promise<void> {
    await this.client.run(["send-keys", "-t", paneId, key]);
  }

  /** The visible screen (and scrollback lines when `history` > 0), optionally with colour escapes. */
  async capture(paneId: string, options: { escapes?: boolean; history?: number } = {}): Promise<string> {
    const args = ["capture-pane", "-p", "-J", "-t", paneId];
    if (options.escapes) args.push("-e");
    if (options.history) args.push("-S", String(-options.history));
    return (await this.client.run(args)).join("\n");
  }

  /** The pane's size in cells, or null when tmux cannot say (the pane is gone). */
  async paneSize(paneId: string): Promise<{ width: number; height: number } | null> {
    const [line] = await this.client.run(["display-message", "-p", "-t", paneId, "#{pane_width} #{pane_height}"]).catch(() => [] as string[]); // the pane is gone: null below
    const [width, height] = (line ?? "").split(" ").map(Number);
    return width && height ? { width, height } : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  private async linkToHub(ref: PaneRef): Promise<void> {
    const hubWindows = await this.client.run(["list-windows", "-t", `=${HUB_SESSION}`, "-F", "#{window_id}"]);
    if (!hubWindows.includes(ref.windowId)) await this.client.run(["link-window", "-d", "-s", ref.windowId, "-t", `=${HUB_SESSION}:`]);
    if (!this.scanners.has(ref.paneId)) this.scanners.set(ref.paneId, new MarkerScanner());
  }

  private onOutput(paneId: string, data: string): void {
    const scanner = this.scanners.get(paneId);
    if (scanner) for (const fields of scanner.push(data)) this.events.emit("marker", paneId, fields);
    if (this.events.listenerCount("output") > 0) this.events.emit("output", paneId, data);
  }

  /** Coalesces bursts of session notifications into one listing. */
  private scheduleRelist(): void {
    if (this.relist || this.closed) return;
    this.relist = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      this.relist = null;
      const live = await this.list().catch(() => null); // unlisted: the next notification lists again
      if (!live) return;
      const names = new Set(live.map((ref) => ref.session));
      for (const [name, ref] of this.known) {
        if (names.has(name)) continue;
        this.known.delete(name);
        this.scanners.delete(ref.paneId);
        // A killed session leaves its window linked in the hub: remove it so nothing runs unseen.
        await this.client.run(["kill-window", "-t", ref.windowId]).catch(() => undefined);
        this.events.emit("session-gone", name);
      }
    })();
  }
}

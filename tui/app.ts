import { join } from "node:path";
import type { Widgets } from "blessed";
import { fileLogger, homePaths, resolveHome, UsageError, type HomePaths, type Logger } from "../core/index.js";
import { AgentActions } from "./agent-actions.js";
import { attachCommand, attachInTerminal, describeAttachError } from "./attach.js";
import { DashboardData } from "./data.js";
import type { KeyEvent } from "./keys.js";
import { InboxPanel } from "./inbox-panel.js";
import { KeyCommands } from "./key-commands.js";
import { createLayout, type Layout } from "./layout.js";
import { Overlays } from "./overlays.js";
import { Refresher } from "./refresher.js";
import { Renderer } from "./render.js";
import { openScreen } from "./screen.js";
import { createState, say, selectedRow, visibleSessions, type DashboardState, type SessionRow } from "./state.js";
import { guardProcess, type ProcessGuard } from "./process-guard.js";

export interface TuiOptions {
  /** The swarm's home; defaults to $CLAUDE_AGENT_HOME or ~/.claude-agent. */
  readonly home?: string;
  /** Redis key prefix, only for several swarms sharing one REDIS_URL. */
  readonly prefix?: string;
}

/** Draws at most this often; a burst of changes costs one draw. */
const RENDER_MIN_MS = 40;

/**
 * The dashboard: a read-only client of the swarm (its event stream, periodic
 * snapshots and the panes' output), so it can start, crash or quit without
 * touching an agent or a job. Resolves when the user quits; rejects, after
 * the terminal has been restored, when something broke.
 */
export async function runTui(options: TuiOptions = {}): Promise<void> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError("the dashboard needs a terminal", { hint: "For a plain live view (CI logs, pipes) use `claude-agent status --watch`." });
  }
  const paths = homePaths(resolveHome(options.home));
  const logger = fileLogger(join(paths.logsDir, "tui.log"), "tui");
  try {
    await new Dashboard(paths, options, logger).run();
  } finally {
    await logger.close();
  }
}

class Dashboard {
  private readonly state: DashboardState;
  private screen!: Widgets.Screen;
  private layout!: Layout;
  private renderer!: Renderer;
  private guard!: ProcessGuard;
  private overlays!: Overlays;
  private inbox!: InboxPanel;
  private commands!: KeyCommands;
  /** While `tmux attach` has the terminal. */
  private attached = false;
  private readonly data: DashboardData;
  private readonly draw: Refresher;
  private finished: Promise<void> | null = null;
  private settle!: { resolve: () => void; reject: (error: unknown) => void };

  constructor(
    private readonly paths: HomePaths,
    options: TuiOptions,
    private readonly logger: Logger,
  ) {
    const log = logger.log;
    this.state = createState(paths.root);
    const changed = () => this.draw.request();
    this.draw = new Refresher(() => this.render(), { minIntervalMs: RENDER_MIN_MS, onError: (error) => log("render.error", { error }) });
    // The tasks view is read only while it shows (the layout exists once run() started).
    this.data = new DashboardData(this.state, paths, options.prefix, changed, log, () => this.layout?.lower.tasks.hidden === false);
  }

  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      // Our handlers go in before blessed's, so that blessed's own (which exit the process) stand back.
      this.guard = guardProcess(this.logger.log, {
        signal: (signal) => void this.quit(null, `signal ${signal}`),
        fatal: (error) => void this.quit(error, "uncaught error"),
      });
      try {
        this.screen = openScreen();
        this.layout = createLayout(this.screen);
        this.renderer = new Renderer(this.layout, this.state);
        const tell = (text: string, level?: "info" | "warn" | "error") => this.tell(text, level);
        this.overlays = new Overlays(this.layout, () => this.draw.request());
        this.inbox = new InboxPanel(
          this.screen,
          this.data.link,
          this.overlays,
          () => {
            this.state.inboxOpen = this.inbox.open;
            this.draw.request();
          },
          tell,
          this.logger.log,
        );
        this.commands = new KeyCommands({
          state: this.state,
          layout: this.layout,
          data: this.data,
          overlays: this.overlays,
          inbox: this.inbox,
          actions: new AgentActions(this.data.link, this.overlays, () => this.data.refresh(), tell, this.logger.log),
          request: () => this.draw.request(),
          redrawAll: () => this.redrawAll(),
          tell,
          attach: (row) => this.attach(row),
          quit: () => void this.quit(null, "quit key"),
        });
        // While attached the terminal (and every key) belongs to tmux.
        this.screen.on("keypress", (ch: string | undefined, key: KeyEvent) => {
          if (!this.attached) this.commands.onKey(ch, key);
        });
        this.screen.on("resize", () => this.redrawAll());
        this.layout.agentsList.on("select item", (_item: unknown, index: number) => {
          if (this.renderer.selecting) return;
          this.commands.select(visibleSessions(this.state)[index]?.name ?? null);
        });
        this.draw.start();
        this.data.start();
        this.inbox.start();
        this.logger.log("tui.started", { home: this.paths.root });
      } catch (error) {
        void this.quit(error, "start-up failed");
      }
    });
  }

  private render(): void {
    if (this.attached || this.finished) return;
    const row = selectedRow(this.state);
    this.data.mirror.select(row?.name ?? null);
    const overlay = this.overlays.draw();
    this.renderer.render(Date.now(), overlay);
  }

  /** After a resize or an attach: every panel moved or was overwritten. */
  private redrawAll(): void {
    this.layout.relayout(this.state.lower);
    this.renderer.invalidate();
    this.overlays.touch();
  }

  private tell(text: string, level: "info" | "warn" | "error" = "info"): void {
    say(this.state, text, level);
    this.draw.request();
  }

  /**
   * Hands the terminal to `tmux attach` (ssh to its host, for a session of another host); the dashboard
   * comes back, redrawn, when the user detaches.
   */
  private attach(row: SessionRow): void {
    this.attached = true;
    const snapshot = this.state.snapshot ?? { sessions: [row], hosts: undefined };
    attachCommand(this.paths.tmuxSocket, this.paths.root, row.name, snapshot).then(
      (command) => {
        if (this.finished) return;
        this.data.mirror.suspend();
        this.logger.log("attach.start", { session: row.name, host: command.host });
        attachInTerminal(this.screen, command, ({ code, error }) => {
          this.logger.log("attach.end", { session: row.name, code, error });
          this.attached = false;
          this.data.mirror.resume();
          this.redrawAll();
          const via = command.host ? `ssh to ${command.host}` : "tmux";
          if (error || code !== 0) this.tell(`attach to ${row.name} failed${error ? `: ${error.message}` : ` (${via} exit ${code})`}`, "error");
          else this.tell(`back from ${row.name}`);
          this.data.refresh();
        });
      },
      (error: unknown) => {
        this.attached = false;
        this.tell(`cannot attach to ${row.name}: ${describeAttachError(error)}`, "error");
      },
    );
  }

  /** Stops everything, restores the terminal first, then settles `run()`. Idempotent. */
  private quit(error: unknown, reason: string): Promise<void> {
    this.finished ??= (async () => {
      this.logger.log("tui.quit", { reason, error: error ?? undefined });
      try {
        this.screen?.destroy();
      } catch (destroyError) {
        this.logger.log("tui.destroy-failed", { error: destroyError });
      }
      const closing = Promise.allSettled([this.draw.stop(), this.data.close(), this.inbox?.stop()]);
      await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      this.guard.release();
      if (error) this.settle.reject(error);
      else this.settle.resolve();
    })();
    return this.finished;
  }
}

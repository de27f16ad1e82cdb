/**
 * The peer-style baseline: tasks dispatched the way the tmux-based agent
 * managers do it, for the bench to set beside ours. Each pane runs an
 * interactive bash; a task is typed with `tmux send-keys -l`, then, after a
 * pause, `send-keys Enter`; one poller runs `tmux capture-pane` on every
 * pane, sleeping `pollMs` after each round; a task is done once its pane's
 * screen has changed and then stayed the same for `quietMs`. There is no
 * exit code and no output but the screen: the bench checks `echo x` by the
 * line above the new prompt. The prompt numbers each command (`\#`), so two
 * runs of one command never leave identical screens.
 *
 * Its own tmux server on a socket in a temp folder, removed by `stop()` (also
 * registered with the bench's Cleanups). Task text only ever travels as one
 * argv element of `send-keys -l`.
 */
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import type { Cleanups } from "./cleanup.js";

const run = promisify(execFile);
const READY_TIMEOUT_MS = 10_000;

/** How one tool types a task and decides it is done (the figures and their sources: peer-bench.ts). */
export interface PeerProfile {
  readonly tool: string;
  /** Between typing the text and pressing Enter. */
  readonly enterDelayMs: number;
  /** Sleep between the end of one capture round and the start of the next. */
  readonly pollMs: number;
  /** The screen must have stayed unchanged this long (from the round that first saw it) for "done". */
  readonly quietMs: number;
}

interface Pending {
  /** The screen before the task was typed. */
  readonly before: string;
  enteredAt: number;
  changed: boolean;
  readonly check: (screen: string) => boolean;
  readonly done: (error?: Error) => void;
}

interface Pane {
  readonly id: string;
  hash: string;
  screen: string;
  /** When the round that first saw this screen started. */
  since: number;
  pending: Pending | null;
}

export class PeerPanes {
  private stopped = false;
  private poller: Promise<void> | null = null;
  private readonly removeCleanup: () => Promise<void>;

  private constructor(
    private readonly dir: string,
    private readonly panes: Pane[],
    private readonly profile: PeerProfile,
    cleanups: Cleanups,
  ) {
    this.removeCleanup = cleanups.add(`peer-style tmux server ${dir}`, () => this.teardown());
  }

  /** A tmux server with `count` sessions of one pane each, each at its prompt. */
  static async start(count: number, profile: PeerProfile, cleanups: Cleanups): Promise<PeerPanes> {
    const dir = mkdtempSync(join(tmpdir(), "cab-peer-"));
    const peers = new PeerPanes(dir, [], profile, cleanups);
    try {
      // The server takes its environment from the first client: every pane's bash gets this prompt.
      const env = { ...process.env, PS1: "\\# $ ", TMUX: "" };
      for (let i = 0; i < count; i++) {
        await run("tmux", [...peers.server(), "new-session", "-d", "-s", `peer${i}`, "-x", "120", "-y", "40", "--", "bash", "--norc", "--noprofile", "-i"], {
          env,
        });
      }
      const { stdout } = await run("tmux", [...peers.server(), "list-panes", "-a", "-F", "#{pane_id}"]);
      for (const id of stdout.trim().split("\n")) peers.panes.push({ id, hash: "", screen: "", since: 0, pending: null });
      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (const pane of peers.panes) {
        while (!/^\d+ \$ *$/m.test(pane.screen)) {
          if (Date.now() > deadline) throw new Error(`peer-style pane ${pane.id} showed no prompt: ${JSON.stringify(pane.screen)}`);
          await sleep(20);
          await peers.capture(pane, performance.now());
        }
      }
      peers.poller = peers.poll();
      return peers;
    } catch (error) {
      await peers.stop();
      throw error;
    }
  }

  get size(): number {
    return this.panes.length;
  }

  /** The tmux server's pid and the panes' shells, for CPU accounting. */
  async pids(): Promise<number[]> {
    const server = spawnSync("tmux", [...this.server(), "display-message", "-p", "#{pid}"], { encoding: "utf8" });
    const { stdout } = await run("tmux", [...this.server(), "list-panes", "-a", "-F", "#{pane_pid}"]);
    return [Number(server.stdout.trim()), ...stdout.trim().split("\n").map(Number)];
  }

  /** Types `task` into pane `index` and resolves once the screen says it is done; rejects when `check` refuses the final screen. */
  async dispatch(index: number, task: string, check: (screen: string) => boolean = () => true): Promise<void> {
    const pane = this.panes[index];
    if (!pane) throw new Error(`no peer-style pane ${index}`);
    if (pane.pending) throw new Error(`peer-style pane ${pane.id} is busy`);
    const finished = new Promise<void>((resolve, reject) => {
      pane.pending = {
        before: pane.hash,
        enteredAt: Number.POSITIVE_INFINITY,
        changed: false,
        check,
        done: (error) => {
          pane.pending = null;
          if (error) reject(error);
          else resolve();
        },
      };
    });
    const pending = pane.pending!;
    try {
      await run("tmux", [...this.server(), "send-keys", "-t", pane.id, "-l", "--", task]);
      await sleep(this.profile.enterDelayMs);
      await run("tmux", [...this.server(), "send-keys", "-t", pane.id, "Enter"]);
      pending.enteredAt = performance.now();
    } catch (error) {
      pending.done(error instanceof Error ? error : new Error(String(error)));
    }
    return finished;
  }

  /** Ends the poller and the tmux server, removes the folder. Idempotent. */
  async stop(): Promise<void> {
    await this.removeCleanup();
  }

  private async teardown(): Promise<void> {
    this.stopped = true;
    await this.poller?.catch(() => undefined); // its failures were given to the pending tasks
    spawnSync("tmux", [...this.server(), "kill-server"], { stdio: "ignore" });
    rmSync(this.dir, { recursive: true, force: true });
    for (const pane of this.panes) pane.pending?.done(new Error("the peer-style panes were stopped"));
  }

  private server(): string[] {
    return ["-S", join(this.dir, "tmux.sock"), "-f", "/dev/null"];
  }

  /** One round after another, like claude-squad's tick: sleep, capture every pane at once, decide. */
  private async poll(): Promise<void> {
    while (!this.stopped) {
      await sleep(this.profile.pollMs);
      if (this.stopped) return;
      const started = performance.now();
      await Promise.all(
        this.panes.map((pane) =>
          this.capture(pane, started).then(
            () => this.decide(pane, started),
            (error: unknown) => pane.pending?.done(error instanceof Error ? error : new Error(String(error))),
          ),
        ),
      );
    }
  }

  private async capture(pane: Pane, started: number): Promise<void> {
    const { stdout } = await run("tmux", [...this.server(), "capture-pane", "-p", "-e", "-J", "-t", pane.id]);
    const hash = createHash("sha256").update(stdout).digest("hex");
    if (hash !== pane.hash) {
      pane.hash = hash;
      pane.screen = stdout;
      pane.since = started;
    }
  }

  private decide(pane: Pane, started: number): void {
    const pending = pane.pending;
    // Only a round that began after Enter says anything about the task.
    if (!pending || started < pending.enteredAt) return;
    if (pane.hash !== pending.before) pending.changed = true;
    // Quiet counts from Enter at the earliest: a screen of the typed line, first seen before Enter, is no answer.
    if (!pending.changed || started - Math.max(pane.since, pending.enteredAt) < this.profile.quietMs) return;
    pending.done(
      pending.check(pane.screen) ? undefined : new Error(`peer-style pane ${pane.id} ended with ${JSON.stringify(pane.screen.trimEnd().slice(-200))}`),
    );
  }
}

/** The line printed above the new prompt, i.e. the last command's output (one line). */
export function lastOutputLine(screen: string): string | null {
  const lines = screen.split("\n").map((line) => line.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (!/^\d+ \$$/.test(lines[lines.length - 1] ?? "")) return null;
  return lines[lines.length - 2] ?? null;
}

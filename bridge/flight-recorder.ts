import { join } from "node:path";
import { parseShellMarker } from "../agents/index.js";
import type { SpareFiles } from "../core/index.js";
import { CastWriter, type Disposable, type SessionManager } from "../sessions/index.js";
import type { AgentSession } from "./sessions/index.js";

export interface FlightRecorderDeps {
  readonly outputDir: string;
  /** Looked up on every start: the tmux server (and so the manager) may have been replaced. */
  readonly sessions: () => SessionManager;
  readonly log: (event: string, data: Record<string, unknown>) => void;
  /** Emptied dispatch files a new recording is made from, instead of a new file (core/spare-files.ts). */
  readonly spares?: SpareFiles;
  /** Agents with `record: false` in swarm.yaml: their tasks are not recorded. */
  readonly unrecorded?: ReadonlySet<string>;
}

/** The dispatch a shell pane runs: its begin and end markers become marker events when they carry its nonce. */
export interface RecordedDispatch {
  readonly token: string;
  readonly nonce: string;
}

/** A person attaching to a pane can resize it; a recording's header takes a size at most this old. */
const SIZE_TTL_MS = 30_000;

interface Recording {
  readonly taskId: string;
  readonly writer: CastWriter;
  paneId: string;
  dispatch: RecordedDispatch | null;
  /** The size the recording last stated (its header's, then its resize events'). */
  size: { width: number; height: number };
}

/**
 * The flight recorder: each task's pane output, from its dispatch to its end,
 * as an asciicast v2 file `<output>/<id>.cast`, written straight from the
 * control-mode stream the sessions already have (no process, no polling).
 * It listens to the stream only while a task is being recorded: an idle
 * swarm does no work for it. The first event is the prompt as delivered
 * (an input event, redacted like the pane's preview); the dispatch's own
 * begin and end markers, and how the task ended, are marker events.
 */
export class FlightRecorder {
  private readonly byTask = new Map<string, Recording>();
  private readonly byPane = new Map<string, Recording>();
  private listening: { manager: SessionManager; subscription: Disposable } | null = null;
  /** Pane sizes, asked of tmux at most every SIZE_TTL_MS per pane: one control-mode round trip per task cost the burst CPU. */
  private readonly sizes = new Map<string, { width: number; height: number; at: number }>();

  constructor(private readonly deps: FlightRecorderDeps) {}

  /** Where the task's recording goes, or undefined when its agent is not recorded (`record: false`). */
  castFile(task: { readonly id: string; readonly agent: string }): string | undefined {
    return this.deps.unrecorded?.has(task.agent) ? undefined : join(this.deps.outputDir, `${task.id}.cast`);
  }

  get recording(): number {
    return this.byTask.size;
  }

  /**
   * Records `session`'s pane for the task from now on. A task already being
   * recorded (a gate's retry) or whose file exists (a dispatch again, a
   * restarted bridge adopting it) goes on in the same file, after a marker
   * saying why. Never throws: a recording that cannot start is logged.
   */
  async start(
    task: { readonly id: string; readonly agent: string },
    session: AgentSession,
    prompt: string,
    dispatch: RecordedDispatch | null,
    note?: string,
  ): Promise<void> {
    const ref = session.ref;
    const file = this.castFile(task);
    if (!ref || file === undefined) return;
    let recording = this.byTask.get(task.id);
    try {
      if (!recording) {
        const size = await this.paneSize(ref.paneId);
        const writer = new CastWriter({
          file,
          header: { ...size, title: `task ${task.id} · agent ${task.agent} (${session.name})` },
          label: (fields) => this.label(task.id, fields),
          onError: (error) => this.deps.log("recorder.write-failed", { taskId: task.id, error }),
          ...(this.deps.spares ? { spares: this.deps.spares } : {}),
        });
        recording = { taskId: task.id, writer, paneId: ref.paneId, dispatch, size };
        this.byTask.set(task.id, recording);
      }
    } catch (error) {
      this.deps.log("recorder.start-failed", { taskId: task.id, error });
      return;
    }
    if (recording.paneId !== ref.paneId) this.byPane.delete(recording.paneId);
    recording.paneId = ref.paneId;
    recording.dispatch = dispatch;
    this.byPane.set(ref.paneId, recording);
    if (note) recording.writer.marker(note);
    if (prompt) recording.writer.input(prompt);
    this.listen();
  }

  /** A marker event in the task's recording (when it is being recorded). */
  mark(taskId: string, label: string): void {
    this.byTask.get(taskId)?.writer.marker(label);
  }

  /** Ends the task's recording, with `label` (how it ended) as its last event. Idempotent. */
  async stop(taskId: string, label?: string): Promise<void> {
    const recording = this.byTask.get(taskId);
    if (!recording) return;
    this.byTask.delete(taskId);
    if (this.byPane.get(recording.paneId) === recording) this.byPane.delete(recording.paneId);
    if (label) recording.writer.marker(label);
    if (this.byTask.size === 0) this.unlisten();
    await recording.writer.close();
  }

  /** Closes every recording still open (the bridge stops; its tasks go on in their panes and are adopted later). */
  async close(): Promise<void> {
    await Promise.all([...this.byTask.keys()].map((id) => this.stop(id, "the bridge stopped; recording resumes when a bridge adopts the task")));
    this.unlisten();
  }

  private async paneSize(paneId: string): Promise<{ width: number; height: number }> {
    const known = this.sizes.get(paneId);
    if (known && Date.now() - known.at < SIZE_TTL_MS) return { width: known.width, height: known.height };
    const size = (await this.deps.sessions().paneSize(paneId)) ?? { width: 200, height: 50 };
    if (this.sizes.size > 1000) this.sizes.clear();
    this.sizes.set(paneId, { ...size, at: Date.now() });
    return size;
  }

  private listen(): void {
    const manager = this.deps.sessions();
    if (this.listening?.manager === manager) return;
    this.listening?.subscription.dispose();
    const output = manager.on("output", (paneId, data) => this.byPane.get(paneId)?.writer.output(data));
    const resize = manager.on("resize", (paneId, width, height) => this.resized(paneId, width, height));
    this.listening = { manager, subscription: { dispose: () => (output.dispose(), resize.dispose()) } };
  }

  private unlisten(): void {
    this.listening?.subscription.dispose();
    this.listening = null;
  }

  /** A pane resized while recorded (a person attached with another size): an `r` event, so that a player can follow. */
  private resized(paneId: string, width: number, height: number): void {
    this.sizes.set(paneId, { width, height, at: Date.now() });
    const recording = this.byPane.get(paneId);
    if (!recording || (recording.size.width === width && recording.size.height === height)) return;
    recording.size = { width, height };
    recording.writer.resize(width, height);
  }

  private label(taskId: string, fields: string[]): string | null {
    const dispatch = this.byTask.get(taskId)?.dispatch;
    const marker = parseShellMarker(fields);
    if (!dispatch || !marker || marker.kind === "prompt" || marker.token !== dispatch.token || marker.nonce !== dispatch.nonce) return null;
    return marker.kind === "begin" ? `begin ${dispatch.token}` : `end ${dispatch.token}: exit ${marker.exitCode}`;
  }
}

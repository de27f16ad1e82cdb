import { terminalLine, type TaskRecord } from "../core/index.js";
import { duration } from "./format.js";
import { OutputTail } from "./output-tail.js";
import { printControlled, printError } from "./output.js";

export interface WaitProgressOptions {
  readonly taskId: string;
  /** Where the flight recorder writes the task's pane: `<home>/output/<id>.cast`. */
  readonly castFile: string;
  /** The task's record as Redis has it now (agent, session, status, startedAt). */
  readonly record: () => Promise<TaskRecord | null>;
  /** A terminal: one block redrawn in place; otherwise plain lines. */
  readonly tty: boolean;
  readonly columns?: number;
  readonly intervalMs?: number;
  /**
   * The pane shows what the task printed, secrets included (as its output file keeps them); what is
   * shown here is redacted like the task's stored output (the swarm's redactor).
   */
  readonly redact: (text: string) => string;
}

const SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
const TAIL_LINES = 6;

/**
 * What `submit --wait` shows while the task runs, on stderr: the agent and
 * session, the time since it started and the live tail of its pane. The tail
 * is read from the flight recorder's file as it is written (OutputTail): the
 * bytes are already on this machine, so watching costs the swarm nothing
 * (the event stream carries no pane output, and putting it there would cost
 * Redis traffic for every task whether anyone watches or not). On a
 * terminal the block is redrawn in place and erased before the result is
 * printed; otherwise each change is one plain line (the task starting, each
 * line of output as it completes). Everything shown is someone else's text
 * and goes through terminalLine.
 */
export class WaitProgress {
  private readonly tail: OutputTail;
  private timer: NodeJS.Timeout | null = null;
  private drawn = 0;
  private frame = 0;
  private said = "";
  private who = "";
  private busy = false;
  private stopped = false;

  constructor(private readonly options: WaitProgressOptions) {
    this.tail = new OutputTail(options.castFile, TAIL_LINES, options.redact);
  }

  start(): void {
    const tick = async () => {
      if (this.busy || this.stopped) return;
      this.busy = true;
      try {
        await this.update();
      } catch {
        // progress is a courtesy: a failed look is retried at the next tick
      } finally {
        this.busy = false;
      }
    };
    this.timer = setInterval(() => void tick(), this.options.intervalMs ?? 250);
    void tick();
  }

  /** Stops: erases the block (a terminal), or prints the lines that completed since the last look. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (!this.options.tty) {
      const record = await this.options.record().catch(() => null); // unread: the lines keep the name they had
      if (record) this.who = terminalLine(record.session ?? record.agent);
      for (const line of this.tail.poll()) printError(`${this.who} | ${line}\n`);
    }
    if (this.options.tty && this.drawn > 0) printControlled({ before: `\x1b[${this.drawn}F\x1b[J`, line: "", after: "" }, []);
    this.drawn = 0;
  }

  private async update(): Promise<void> {
    const record = await this.options.record();
    if (this.stopped) return;
    const completed = this.tail.poll();
    const status = describe(record, this.options.taskId);
    if (!this.options.tty) {
      if (status.plain !== this.said) printError(`${status.plain}\n`);
      this.said = status.plain;
      this.who = terminalLine(record?.session ?? record?.agent ?? "");
      for (const line of completed) printError(`${this.who} | ${line}\n`);
      return;
    }
    const width = Math.max(20, (this.options.columns ?? 80) - 1);
    const spinner = SPINNER[this.frame++ % SPINNER.length]!;
    const lines = [`${spinner} ${status.live}`, ...this.tail.lines().map((line) => `  │ ${line}`)].map((line) => clip(terminalLine(line), width));
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : "";
    printControlled({ before: `${up}\x1b[J`, line: "\x1b[2K", after: "" }, lines);
    this.drawn = lines.length;
  }
}

function describe(record: TaskRecord | null, id: string): { live: string; plain: string } {
  if (!record) return { live: `task ${id}: waiting for its record`, plain: `task ${id}: waiting for its record` };
  const where = record.session ? `${record.agent} (${record.session})` : record.agent;
  if (record.status === "queued") {
    const waited = Date.now() - Date.parse(record.submittedAt);
    return { live: `task ${id} · queued for ${where} · ${duration(Number.isFinite(waited) ? waited : 0)}`, plain: `task ${id}: queued for ${record.agent}` };
  }
  const since = record.startedAt ? Date.parse(record.startedAt) : NaN;
  const elapsed = Number.isFinite(since) ? ` · ${duration(Math.max(0, Date.now() - since))}` : "";
  return { live: `task ${id} · ${record.status} on ${where}${elapsed}`, plain: `task ${id}: ${record.status} on ${where}` };
}

function clip(line: string, width: number): string {
  const chars = [...line];
  return chars.length > width ? `${chars.slice(0, width - 1).join("")}…` : line;
}

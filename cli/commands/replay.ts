import { existsSync } from "node:fs";
import { join } from "node:path";
import { isSafeId, NotFoundError, parseCast, readRegularFile, UsageError } from "../../core/index.js";
import { History } from "../../history/index.js";
import { connect, clientInternals } from "../../client/index.js";
import { homeOf, printJson, type GlobalOptions } from "../context.js";
import { configIfAny } from "../history-context.js";
import { printError } from "../output.js";
import { play } from "../replay-player.js";

export interface ReplayOptions extends GlobalOptions {
  speed?: string;
  maxIdle?: string;
  json?: boolean;
}

/** What the stores say of a task's recording: unknown task, known without one, or known with one. */
type Known = { readonly task: false } | { readonly task: true; readonly castFile: string | null };

/**
 * `claude-agent replay ID`: plays a task's pane as the flight recorder saw it
 * (`<home>/output/<id>.cast`), at `--speed`, with pauses capped at
 * `--max-idle`; `--json` prints the recording instead. The history store is
 * asked first (it outlives Redis), then the running swarm; the file is read
 * from the home's output folder whatever they say, so a record cannot point
 * replay at another file.
 */
export async function replay(id: string, options: ReplayOptions): Promise<void> {
  const speed = positive("--speed", options.speed, 1);
  const maxIdleSec = positive("--max-idle", options.maxIdle, 2);
  if (!isSafeId(id))
    throw new UsageError(`not a task id: ${JSON.stringify(id)}`, { hint: "task ids look like mx5hwnhn-l87nk4; `claude-agent tasks` lists them." });
  const home = homeOf(options);
  const file = join(home.outputDir, `${id}.cast`);
  const text = existsSync(file) ? readRegularFile(file) : null;
  if (text === null) throw await missing(id, file, options);
  const cast = parseCast(text, file);
  if (options.json) return printJson({ id, file, header: cast.header, events: cast.events });
  const width = process.stdout.isTTY ? process.stdout.columns : undefined;
  if (width !== undefined && width < cast.header.width) {
    printError(`(recorded in a ${cast.header.width}×${cast.header.height} pane; this terminal is ${width} columns wide: long lines wrap)\n`);
  }
  const outcome = await play(cast, { speed, maxIdleSec });
  const length = cast.events.at(-1)?.[0] ?? 0;
  if (outcome.how === "stopped") printError(`replay stopped at ${outcome.at.toFixed(1)} s of ${length.toFixed(1)} s\n`);
}

/** Why there is nothing to play, as a NotFoundError with what to do about it. */
async function missing(id: string, file: string, options: GlobalOptions): Promise<NotFoundError> {
  const known = await fromHistory(id, options);
  const seen = known.task ? known : await fromSwarm(id, options);
  if (!seen.task) {
    return new NotFoundError(`no recording of task ${id}: no such task in the history or in the running swarm`, {
      hint: "`claude-agent tasks` lists past tasks; `--search TEXT` finds them by their text.",
    });
  }
  if (seen.castFile) {
    return new NotFoundError(`the recording of task ${id} is gone (${file})`, {
      hint: "recordings are removed with the task's output once Redis's retention forgets the task (`retention:` in swarm.yaml); `claude-agent history show ID` still has its record.",
    });
  }
  return new NotFoundError(`task ${id} has no recording`, {
    hint: "only tasks dispatched by a bridge with the flight recorder are recorded (not those refused or cancelled before they started, those of an agent with `record: false`, nor those run with CLAUDE_AGENT_RECORDER=off); `claude-agent history show ID` has its output.",
  });
}

async function fromHistory(id: string, options: GlobalOptions): Promise<Known> {
  try {
    const root = homeOf(options).root;
    const history = await History.open(root, configIfAny(root));
    try {
      const task = await history.task(id);
      return task ? { task: true, castFile: task.castFile } : { task: false };
    } finally {
      await history.close();
    }
  } catch {
    return { task: false }; // no store (yet): the running swarm may still know the task
  }
}

async function fromSwarm(id: string, options: GlobalOptions): Promise<Known> {
  try {
    const swarm = await connect({ home: homeOf(options).root });
    try {
      const record = await clientInternals(swarm.client).ledger.get(id);
      return record ? { task: true, castFile: record.castFile ?? null } : { task: false };
    } finally {
      await swarm.close();
    }
  } catch {
    return { task: false }; // no swarm running: the history was the only place to look
  }
}

function positive(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.trim());
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0)) throw new UsageError(`${flag}: expected a positive number, got ${JSON.stringify(value)}`);
  return n;
}

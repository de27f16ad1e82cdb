import { isSafeId, NotFoundError, readRegularFile, taskDiffFile, terminalText, UsageError } from "../../core/index.js";
import { homeOf, printJson, type GlobalOptions } from "../context.js";
import { print } from "../output.js";

export interface DiffOptions extends GlobalOptions {
  json?: boolean;
}

const COLOURS: readonly [RegExp, string][] = [
  [/^(diff --git|index |--- |\+\+\+ )/, "\x1b[1m"],
  [/^@@/, "\x1b[36m"],
  [/^\+/, "\x1b[32m"],
  [/^-/, "\x1b[31m"],
];

/**
 * `claude-agent diff ID`: the patch of what a worktree agent's task changed (`<home>/output/<id>.diff`,
 * written by the bridge when the task ended, cut at 2 MB and with the swarm's secrets redacted). The file is
 * found by the task's id, never by a path a record names. The patch is what an agent wrote: it is shown with
 * terminal escape sequences removed, coloured only by us and only on a terminal.
 */
export async function diff(id: string, options: DiffOptions): Promise<void> {
  if (!isSafeId(id))
    throw new UsageError(`not a task id: ${JSON.stringify(id)}`, { hint: "task ids look like mx5hwnhn-l87nk4; `claude-agent tasks` lists them." });
  const file = taskDiffFile(homeOf(options).outputDir, id);
  const patch = readRegularFile(file);
  if (patch === null) {
    throw new NotFoundError(`no patch of task ${id} in this home (${file})`, {
      hint:
        "only a worktree agent's task that changed files has one; a task that ran on another host keeps its patch there; " +
        "patches go with the task's output at retention (`claude-agent result ID` shows the changed files and the commit).",
    });
  }
  if (options.json) return printJson({ id, file, bytes: Buffer.byteLength(patch), patch });
  const safe = terminalText(patch);
  print(process.stdout.isTTY ? colour(safe) : safe);
}

function colour(patch: string): string {
  return patch
    .split("\n")
    .map((line) => {
      const hit = COLOURS.find(([pattern]) => pattern.test(line));
      return hit ? `${hit[1]}${line}\x1b[0m` : line;
    })
    .join("\n");
}

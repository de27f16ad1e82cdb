import { print, printError } from "../output.js";
import { UsageError } from "../../core/index.js";
import { MARK_END, MARK_START, type TaskSummary } from "../../history/index.js";
import { printJson, type GlobalOptions } from "../context.js";
import { duration, table } from "../format.js";
import { limitFlag, oneLine, timeFlag, withHistory } from "../history-context.js";

export interface TasksOptions extends GlobalOptions {
  agent?: string;
  status?: string;
  workflow?: string;
  since?: string;
  until?: string;
  search?: string;
  limit?: string;
  cursor?: string;
  json?: boolean;
}

const STATUSES = ["queued", "running", "completed", "failed", "timeout", "cancelled", "rejected"];

/** `claude-agent tasks`: past and present tasks from the history store, newest first (with --search: matches in the task text first, then the rest, newest first in each). */
export async function tasks(options: TasksOptions): Promise<void> {
  const statuses = options.status
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const status of statuses ?? []) {
    if (!STATUSES.includes(status))
      throw new UsageError(`--status: expected one or more of ${STATUSES.join(", ")} (comma-separated), got ${JSON.stringify(status)}`);
  }
  if (options.search !== undefined && options.search.trim() === "") throw new UsageError("--search: the search text is empty");
  const query = {
    agent: options.agent,
    statuses,
    workflow: options.workflow,
    since: timeFlag("--since", options.since),
    until: timeFlag("--until", options.until),
    search: options.search,
    limit: limitFlag(options.limit, 50),
    cursor: options.cursor,
  };
  await withHistory(options, async (history) => {
    const page = await history.tasks(query);
    if (options.json) return printJson({ tasks: page.items, next: page.next });
    if (page.items.length === 0) {
      print(options.search !== undefined ? "no task matches\n" : "no tasks\n");
      return;
    }
    print(`${render(page.items, options.search !== undefined)}\n`);
    if (page.next) printError(`more: add --cursor ${page.next}\n`);
  });
}

function render(items: readonly TaskSummary[], search: boolean): string {
  const rows = items.map((t) => [
    t.id,
    t.status,
    t.agent,
    t.submittedAt.slice(0, 19).replace("T", " "),
    duration(t.durationMs),
    t.workflow ? `${t.workflow}/${t.step ?? "?"}` : "-",
    search && t.snippet ? oneLine(t.snippet, 100) : oneLine(t.task, 70),
  ]);
  return table(["ID", "STATUS", "AGENT", "SUBMITTED (UTC)", "TOOK", "WORKFLOW", search ? `MATCH (${MARK_START}…${MARK_END})` : "TASK"], rows);
}

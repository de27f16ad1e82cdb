import { print, printError } from "../output.js";
import { printJson, type GlobalOptions } from "../context.js";
import { table } from "../format.js";
import { limitFlag, oneLine, timeFlag, withHistory } from "../history-context.js";

export interface AuditOptions extends GlobalOptions {
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  target?: string;
  limit?: string;
  cursor?: string;
  json?: boolean;
}

/** `claude-agent audit`: who submitted, cancelled, approved, rejected, changed what, and through which interface; newest first. */
export async function audit(options: AuditOptions): Promise<void> {
  const filter = {
    since: timeFlag("--since", options.since),
    until: timeFlag("--until", options.until),
    actor: options.actor,
    action: options.action,
    target: options.target,
  };
  await withHistory(options, async (history) => {
    const page = await history.audit(filter, limitFlag(options.limit, 100), options.cursor);
    if (options.json) return printJson({ entries: page.items, next: page.next });
    if (page.items.length === 0) return void print("no audit entries\n");
    const rows = page.items.map((e) => [
      e.at.slice(0, 19).replace("T", " "),
      oneLine(e.actor, 40),
      e.via,
      e.action,
      oneLine(e.target ?? "-", 40),
      oneLine(
        e.details
          ? Object.entries(e.details)
              .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
              .join(" ")
          : "",
        80,
      ),
    ]);
    print(`${table(["WHEN (UTC)", "WHO", "VIA", "ACTION", "TARGET", "DETAILS"], rows)}\n`);
    if (page.next) printError(`more: add --cursor ${page.next}\n`);
  });
}

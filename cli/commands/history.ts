import { print } from "../output.js";
import { DEFAULT_HISTORY_RETENTION_MS, formatDuration, localActor, NotFoundError, type TaskRecord } from "../../core/index.js";
import type { HistoryEvent, HistoryTask } from "../../history/index.js";
import { connect, clientInternals } from "../../client/index.js";
import { homeOf, printJson, type GlobalOptions } from "../context.js";
import { duration } from "../format.js";
import { configIfAny, oneLine, safeText, timeFlag, withHistory } from "../history-context.js";

/** `claude-agent history show ID`: a task's full record from the history store, months later; `history prune`. */
export async function show(id: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withHistory(options, async (history) => {
    const task = await history.task(id);
    if (task === null) {
      const live = await fromRedis(options, id);
      if (live === null)
        throw new NotFoundError(`no task with id ${id} in the history or in the running swarm`, {
          hint: "`claude-agent tasks` lists past tasks; `--search TEXT` finds them by their text.",
        });
      if (options.json) return printJson({ task: live, events: [], source: "redis" });
      print(`(not in the history store yet; as Redis has it now)\n${safeText(JSON.stringify(live, null, 2))}\n`);
      return;
    }
    const events = await history.events(id);
    if (options.json) return printJson({ task, events, source: "history" });
    print(`${describe(task, events).join("\n")}\n`);
  });
}

async function fromRedis(options: GlobalOptions, id: string): Promise<TaskRecord | null> {
  try {
    const swarm = await connect({ home: homeOf(options).root });
    try {
      return await clientInternals(swarm.client).ledger.get(id);
    } finally {
      await swarm.close();
    }
  } catch {
    return null; // no swarm running: the history was the only place to look
  }
}

function describe(t: HistoryTask, events: readonly HistoryEvent[]): string[] {
  const line = (label: string, value: string | number | null | undefined) =>
    value === null || value === undefined || value === "" ? [] : [`${label.padEnd(14)}${typeof value === "string" ? safeText(value) : value}`];
  const out = [
    `task ${t.id}: ${t.status}${t.exitCode !== null ? ` · exit ${t.exitCode}` : ""} · agent ${t.agent}${t.session ? ` (${t.session}${t.host ? ` on ${t.host}` : ""})` : ""}`,
    ...line("reason", t.reason),
    ...line("submitted", `${t.submittedAt}${t.submittedBy ? ` by ${t.submittedBy}${t.submittedVia ? ` via ${t.submittedVia}` : ""}` : ""}`),
    ...line("started", t.startedAt),
    ...line("finished", t.finishedAt),
    ...line("took", t.durationMs === null ? null : duration(t.durationMs)),
    ...line("attempts", t.attempts),
    ...line("routed", t.routedBy),
    ...line("workflow", t.workflow ? `${t.workflow} step ${t.step ?? "?"} (execution ${t.executionId})` : null),
    ...line(
      "tokens",
      t.inputTokens !== null || t.outputTokens !== null
        ? `${t.inputTokens ?? 0} in, ${t.outputTokens ?? 0} out${t.turns !== null ? `, ${t.turns} turns` : ""}`
        : null,
    ),
    ...line("cost", t.costUsd !== null ? `$${t.costUsd.toFixed(4)}` : null),
    ...line("conversation", t.conversationId),
    ...line("changed", t.changedFiles ? t.changedFiles.join(", ") || "nothing" : null),
    ...line("memory used", t.memoryEntries?.join(", ")),
    ...line("output file", t.outputFile),
    ...line("recording", t.castFile),
    "",
    "task:",
    safeText(t.task),
  ];
  if (t.answer) out.push("", "answer:", safeText(t.answer));
  if (t.output) out.push("", "output:", safeText(t.output).replace(/\n$/, ""));
  if (events.length > 0) {
    out.push("", "events:");
    for (const e of events) out.push(`  ${e.at.slice(0, 23)}  ${e.type.padEnd(22)}${oneLine(e.data.message ?? e.data.status ?? "", 80)}`);
  }
  return out;
}

export interface PruneOptions extends GlobalOptions {
  olderThan?: string;
  json?: boolean;
}

/** Forgets finished tasks, events and audit entries past the retention (`database.retention`, default a year) or `--older-than`. */
export async function prune(options: PruneOptions): Promise<void> {
  const home = homeOf(options).root;
  const retentionMs = configIfAny(home)?.database?.retentionMs ?? DEFAULT_HISTORY_RETENTION_MS;
  const before = timeFlag("--older-than", options.olderThan) ?? Date.now() - retentionMs;
  await withHistory(options, async (history) => {
    const removed = await history.prune(before);
    await history.record({
      actor: localActor(),
      via: "cli",
      action: "history.prune",
      target: null,
      details: { before: new Date(before).toISOString(), ...removed },
    });
    if (options.json) return printJson({ before: new Date(before).toISOString(), ...removed });
    const horizon = options.olderThan ?? formatDuration(retentionMs);
    print(
      `pruned ${removed.tasks} task${removed.tasks === 1 ? "" : "s"} and ${removed.audit} audit entr${removed.audit === 1 ? "y" : "ies"} older than ${horizon} (before ${new Date(before).toISOString()})\n`,
    );
  });
}

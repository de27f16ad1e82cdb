/**
 * The append-only audit log: who did what, through which interface, when.
 * Rows come from the events of state-changing actions (one per event id, so
 * a replayed event adds nothing) and from actions on the history itself
 * (memory, prune, backup, restore). The database refuses updates, and
 * deletes of entries younger than the prune horizon (migration 0001).
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { AuditTable, EventsTable, HistorySchema } from "./schema.js";
import { META, setMeta } from "./meta.js";

export type AuditRow = Omit<AuditTable, "seq">;

/** Event types that are actions of someone, with the action's name in the log. */
const ACTIONS: Readonly<Record<string, string>> = {
  "task.submitted": "task.submit",
  "task.cancel-requested": "task.cancel",
  "workflow.requested": "workflow.run",
  "swarm.up": "swarm.up",
  "swarm.down": "swarm.down",
};

/**
 * The audit entries an event stands for: none when it is not an action (a task started, a step retried, …),
 * one for most, one per call for the tool calls of a program agent's task (bridge/dispatch/tool-audit.ts).
 */
export function auditRowsFromEvent(event: EventsTable): AuditRow[] {
  const data = JSON.parse(event.data) as Record<string, string>;
  if (event.type === "audit" && data.action === "tool-calls" && event.actor) return toolCallRows(event, data);
  const row = auditFromEvent(event, data);
  return row ? [row] : [];
}

/** One entry per tool call, `tool.<name>` on the task, with the call's detail; calls the bridge did not keep, counted in one more. */
function toolCallRows(event: EventsTable, data: Record<string, string>): AuditRow[] {
  let calls: unknown;
  try {
    calls = JSON.parse(data.calls ?? "[]");
  } catch {
    calls = [];
  }
  const list = Array.isArray(calls) ? calls : [];
  const row = (i: number | string, action: string, details: Record<string, string>): AuditRow => ({
    key: `event:${event.id}:${i}`,
    at: event.at,
    actor: event.actor!,
    via: event.via ?? "agent",
    action,
    target: data.target || event.task_id || null,
    details: JSON.stringify({ ...(data.agent ? { agent: data.agent } : {}), ...(data.session ? { session: data.session } : {}), ...details }),
  });
  const rows = list.map((call: unknown, i) => {
    const fields = typeof call === "object" && call !== null ? (call as Record<string, unknown>) : {};
    const tool = typeof fields.tool === "string" && fields.tool !== "" ? fields.tool : "tool";
    return row(i, `tool.${tool}`, { detail: typeof fields.detail === "string" ? fields.detail : "" });
  });
  const dropped = Number(data.dropped ?? 0);
  if (dropped > 0) rows.push(row("dropped", "tool.not-logged", { count: String(dropped) }));
  return rows;
}

function auditFromEvent(event: EventsTable, data: Record<string, string>): AuditRow | null {
  let action = ACTIONS[event.type] ?? null;
  let target = event.task_id ?? event.execution_id;
  const details: Record<string, string> = {};
  if (event.type.startsWith("step.") && event.actor) {
    // An approval decision: the engine emits step.completed/step.failed with who decided.
    if (event.type === "step.completed") action = "step.approve";
    else if (event.type === "step.failed") action = "step.reject";
    target = `${event.execution_id ?? "?"}/${event.step ?? "?"}`;
  } else if (event.type === "workflow.cancelled" && event.actor) action = "workflow.cancel";
  else if (event.type === "audit" && event.actor) {
    // A request to the API or the MCP server, refused ones too: its operation, target and HTTP status.
    action = data.action || "request";
    target = data.target || null;
    if (data.code) details.code = data.code;
  } else if (action === null && event.actor && event.via) action = event.type; // e.g. the API's own request events
  if (action === null) return null;
  for (const key of ["agent", "workflow", "reason", "params", "message", "status"]) if (data[key]) details[key] = data[key];
  return {
    key: `event:${event.id}`,
    at: event.at,
    actor: event.actor ?? (event.type.startsWith("swarm.") ? "daemon" : "unknown"),
    via: event.via ?? (event.type.startsWith("swarm.") ? "daemon" : "unknown"),
    action,
    target: target ?? null,
    details: Object.keys(details).length > 0 ? JSON.stringify(details) : null,
  };
}

export async function insertAudit(db: Kysely<HistorySchema>, rows: readonly AuditRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 300) {
    await db
      .insertInto("audit")
      .values(rows.slice(i, i + 300))
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
  }
}

/** An action on the history itself (memory, prune, backup, restore), written at once. */
export async function recordAudit(
  db: Kysely<HistorySchema>,
  entry: { actor: string; via: string; action: string; target?: string | null; details?: Record<string, unknown> },
): Promise<void> {
  await insertAudit(db, [
    {
      key: `local:${randomUUID()}`,
      at: Date.now(),
      actor: entry.actor,
      via: entry.via,
      action: entry.action,
      target: entry.target ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
    },
  ]);
}

export interface AuditFilter {
  readonly since?: number;
  readonly until?: number;
  readonly actor?: string;
  /** An action name, or its prefix ending in `.` (`task.`). */
  readonly action?: string;
  readonly target?: string;
}

export async function listAudit(db: Kysely<HistorySchema>, filter: AuditFilter, limit: number, afterSeq: number | null): Promise<Selectable<AuditTable>[]> {
  let query = db.selectFrom("audit").selectAll();
  if (filter.since !== undefined) query = query.where("at", ">=", filter.since);
  if (filter.until !== undefined) query = query.where("at", "<", filter.until);
  if (filter.actor !== undefined) query = query.where("actor", "=", filter.actor);
  if (filter.target !== undefined) query = query.where("target", "=", filter.target);
  if (filter.action !== undefined) {
    const action = filter.action;
    query = action.endsWith(".") ? query.where("action", ">=", action).where("action", "<", `${action.slice(0, -1)}/`) : query.where("action", "=", action);
  }
  if (afterSeq !== null) query = query.where("seq", "<", afterSeq);
  return query.orderBy("seq", "desc").limit(limit).execute();
}

/** Deletes audit entries older than `before` (ms): the horizon is recorded first, which is what lets the database allow it. */
export async function pruneAudit(db: Kysely<HistorySchema>, before: number): Promise<number> {
  await setMeta(db, META.auditPruneBefore, String(before));
  const result = await db.deleteFrom("audit").where("at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

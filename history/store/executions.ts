/** Workflow executions in the history store: the whole stored state (steps included), newest version wins. */
import type { Kysely, Selectable } from "kysely";
import type { Redactor } from "../../core/index.js";
import type { ExecutionsTable, HistorySchema } from "./schema.js";
import { storable } from "./task-row.js";

/** The execution document as the workflow engine stores it in Redis; only the fields read here are checked. */
export interface ExecutionDocument {
  readonly id: string;
  readonly workflow: string;
  readonly status: string;
  readonly params?: Record<string, string>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt?: string | null;
}

export function executionRow(doc: ExecutionDocument, text: string, redactor: Redactor): ExecutionsTable {
  // JSON escapes NUL as \u0000, which PostgreSQL's text type accepts; the redactor sees the JSON text.
  const redact = storable(redactor);
  const ms = (iso: string | null | undefined): number | null => (iso ? (Number.isFinite(Date.parse(iso)) ? Date.parse(iso) : null) : null);
  return {
    id: doc.id,
    workflow: doc.workflow,
    status: doc.status,
    params: redact(JSON.stringify(doc.params ?? {})),
    created_at: ms(doc.createdAt) ?? 0,
    finished_at: ms(doc.finishedAt),
    updated_at: ms(doc.updatedAt) ?? 0,
    state: redact(text),
  };
}

/** Parses what Redis holds; null for anything that is not an execution document. */
export function parseExecutionDocument(text: string | null): ExecutionDocument | null {
  if (text === null) return null;
  try {
    const raw = JSON.parse(text) as Partial<Record<keyof ExecutionDocument, unknown>>;
    const ok =
      typeof raw.id === "string" &&
      typeof raw.workflow === "string" &&
      typeof raw.status === "string" &&
      typeof raw.createdAt === "string" &&
      typeof raw.updatedAt === "string";
    return ok ? (raw as ExecutionDocument) : null;
  } catch {
    return null;
  }
}

export async function upsertExecutions(db: Kysely<HistorySchema>, rows: readonly ExecutionsTable[]): Promise<void> {
  const unique = [...new Map(rows.map((row) => [row.id, row])).values()];
  if (unique.length === 0) return;
  await db
    .insertInto("executions")
    .values(unique)
    .onConflict((oc) =>
      oc
        .column("id")
        .doUpdateSet((eb) => ({
          workflow: eb.ref("excluded.workflow"),
          status: eb.ref("excluded.status"),
          params: eb.ref("excluded.params"),
          created_at: eb.ref("excluded.created_at"),
          finished_at: eb.ref("excluded.finished_at"),
          updated_at: eb.ref("excluded.updated_at"),
          state: eb.ref("excluded.state"),
        }))
        .where("excluded.updated_at", ">=", (eb) => eb.ref("executions.updated_at")),
    )
    .execute();
}

export async function getExecution(db: Kysely<HistorySchema>, id: string): Promise<Selectable<ExecutionsTable> | undefined> {
  return db.selectFrom("executions").selectAll().where("id", "=", id).executeTakeFirst();
}

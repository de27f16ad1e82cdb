/**
 * Tasks, events, workflow executions, the audit log, memory and the store's
 * own bookkeeping. Full-text: an FTS5 table kept by triggers (SQLite) or a
 * generated tsvector with a GIN index (PostgreSQL), both with English
 * stemming so "migrations failing" finds "migration failed". The audit log
 * refuses updates, and deletes of rows newer than the prune horizon that
 * `history prune` records first.
 */
import { sql, type Kysely, type Migration } from "kysely";
import type { Dialect } from "../open.js";

export function initial(dialect: Dialect): Migration {
  const pg = dialect === "postgres";
  const big = pg ? "bigint" : "integer";
  const real = pg ? "double precision" : "real";
  const blob = pg ? "bytea" : "blob";
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const table = (name: string) => db.schema.createTable(name);
      await table("history_meta")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();

      await table("tasks")
        .addColumn("seq", pg ? "bigserial" : "integer", (c) => c.primaryKey())
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("agent", "text", (c) => c.notNull())
        .addColumn("session", "text")
        .addColumn("host", "text")
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("exit_code", "integer")
        .addColumn("reason", "text")
        .addColumn("task", "text", (c) => c.notNull())
        .addColumn("routed_by", "text")
        .addColumn("priority", "integer")
        .addColumn("timeout_sec", "integer")
        .addColumn("idempotency_key", "text")
        .addColumn("submitted_at", big, (c) => c.notNull())
        .addColumn("started_at", big)
        .addColumn("finished_at", big)
        .addColumn("duration_ms", big)
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("output_head", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("output_tail", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("output_chars", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("output_file", "text")
        .addColumn("answer", "text")
        .addColumn("cost_usd", real)
        .addColumn("input_tokens", big)
        .addColumn("output_tokens", big)
        .addColumn("turns", "integer")
        .addColumn("conversation_id", "text")
        .addColumn("execution_id", "text")
        .addColumn("workflow", "text")
        .addColumn("step", "text")
        .addColumn("changed_files", "text")
        .addColumn("memory_entries", "text")
        .addColumn("cast_file", "text")
        .addColumn("submitted_by", "text")
        .addColumn("submitted_via", "text")
        .addColumn("extra", "text")
        .addColumn("updated_at", big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("tasks_by_time").on("tasks").columns(["submitted_at", "id"]).execute();
      await db.schema.createIndex("tasks_by_agent").on("tasks").columns(["agent", "submitted_at"]).execute();
      await db.schema.createIndex("tasks_by_status").on("tasks").columns(["status", "submitted_at"]).execute();
      await db.schema.createIndex("tasks_by_execution").on("tasks").column("execution_id").execute();
      await db.schema.createIndex("tasks_by_finish").on("tasks").column("finished_at").execute();

      await table("events")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("at", big, (c) => c.notNull())
        .addColumn("task_id", "text")
        .addColumn("agent", "text")
        .addColumn("execution_id", "text")
        .addColumn("workflow", "text")
        .addColumn("step", "text")
        .addColumn("actor", "text")
        .addColumn("via", "text")
        .addColumn("data", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("events_by_task").on("events").column("task_id").execute();
      await db.schema.createIndex("events_by_time").on("events").column("at").execute();

      await table("executions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("workflow", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("params", "text", (c) => c.notNull())
        .addColumn("created_at", big, (c) => c.notNull())
        .addColumn("finished_at", big)
        .addColumn("updated_at", big, (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("executions_by_time").on("executions").column("created_at").execute();

      await table("audit")
        .addColumn("seq", pg ? "bigserial" : "integer", (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn("key", "text", (c) => c.notNull().unique())
        .addColumn("at", big, (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("via", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("target", "text")
        .addColumn("details", "text")
        .execute();
      await db.schema.createIndex("audit_by_time").on("audit").column("at").execute();

      await table("memory")
        .addColumn("seq", pg ? "bigserial" : "integer", (c) => c.primaryKey())
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("scope_value", "text", (c) => c.notNull())
        .addColumn("text", "text", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("created_at", big, (c) => c.notNull())
        .addColumn("expires_at", big)
        .addColumn("created_by", "text")
        .addColumn("created_via", "text")
        .addColumn("embedding", blob)
        .addColumn("embedding_model", "text")
        .execute();
      await db.schema.createIndex("memory_by_scope").on("memory").columns(["scope", "scope_value"]).execute();

      if (pg) await postgresSearch(db);
      else await sqliteSearch(db);
    },
  };
}

const TASK_TEXT = ["task", "answer", "reason", "output_head", "output_tail"] as const;

async function sqliteSearch(db: Kysely<unknown>): Promise<void> {
  const cols = TASK_TEXT.join(", ");
  const values = (row: "new" | "old") => TASK_TEXT.map((c) => `${row}.${c}`).join(", ");
  const changed = TASK_TEXT.map((c) => `old.${c} IS NOT new.${c}`).join(" OR ");
  const statements = [
    `CREATE VIRTUAL TABLE tasks_fts USING fts5(${cols}, content='tasks', content_rowid='seq', tokenize='porter unicode61')`,
    `CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN INSERT INTO tasks_fts(rowid, ${cols}) VALUES (new.seq, ${values("new")}); END`,
    `CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN INSERT INTO tasks_fts(tasks_fts, rowid, ${cols}) VALUES ('delete', old.seq, ${values("old")}); END`,
    `CREATE TRIGGER tasks_fts_update AFTER UPDATE ON tasks WHEN ${changed} BEGIN
       INSERT INTO tasks_fts(tasks_fts, rowid, ${cols}) VALUES ('delete', old.seq, ${values("old")});
       INSERT INTO tasks_fts(rowid, ${cols}) VALUES (new.seq, ${values("new")});
     END`,
    `CREATE VIRTUAL TABLE memory_fts USING fts5(text, content='memory', content_rowid='seq', tokenize='porter unicode61')`,
    `CREATE TRIGGER memory_fts_insert AFTER INSERT ON memory BEGIN INSERT INTO memory_fts(rowid, text) VALUES (new.seq, new.text); END`,
    `CREATE TRIGGER memory_fts_delete AFTER DELETE ON memory BEGIN INSERT INTO memory_fts(memory_fts, rowid, text) VALUES ('delete', old.seq, old.text); END`,
    `CREATE TRIGGER memory_fts_update AFTER UPDATE OF text ON memory BEGIN
       INSERT INTO memory_fts(memory_fts, rowid, text) VALUES ('delete', old.seq, old.text);
       INSERT INTO memory_fts(rowid, text) VALUES (new.seq, new.text);
     END`,
    `CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`,
    `CREATE TRIGGER audit_prune_only BEFORE DELETE ON audit
       WHEN old.at >= coalesce((SELECT CAST(value AS INTEGER) FROM history_meta WHERE key = 'audit_prune_before'), 0)
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: only entries past the retention may be pruned'); END`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

async function postgresSearch(db: Kysely<unknown>): Promise<void> {
  const doc = TASK_TEXT.map((c) => `coalesce(${c}, '')`).join(" || ' ' || ");
  const statements = [
    `ALTER TABLE tasks ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', ${doc})) STORED`,
    `CREATE INDEX tasks_search ON tasks USING gin (search)`,
    `ALTER TABLE memory ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED`,
    `CREATE INDEX memory_search ON memory USING gin (search)`,
    `CREATE FUNCTION history_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'the audit log is append-only'; END IF;
       IF OLD.at >= coalesce((SELECT value::bigint FROM history_meta WHERE key = 'audit_prune_before'), 0) THEN
         RAISE EXCEPTION 'the audit log is append-only: only entries past the retention may be pruned';
       END IF;
       RETURN OLD;
     END $$`,
    `CREATE TRIGGER audit_guard BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION history_audit_guard()`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

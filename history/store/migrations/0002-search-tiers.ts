/**
 * Task search ranks tasks whose own text holds every word first (search.ts).
 * SQLite asks that of FTS5 with a column filter on `task`, which its index
 * already serves; PostgreSQL gets a generated tsvector of the task text
 * alone, so that telling the tiers apart reads a stored column instead of
 * parsing each match's text again.
 */
import { sql, type Kysely, type Migration } from "kysely";
import type { Dialect } from "../open.js";

export function searchTiers(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (dialect !== "postgres") return;
      await sql.raw(`ALTER TABLE tasks ADD COLUMN search_task tsvector GENERATED ALWAYS AS (to_tsvector('english', task)) STORED`).execute(db);
    },
  };
}

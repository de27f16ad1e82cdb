/**
 * The store's schema, versioned: each migration runs once per database, in
 * name order, under Kysely's migration lock (several daemons on one
 * PostgreSQL database start safely). Never edit a released migration; add
 * the next one.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from "kysely";
import type { Dialect } from "./open.js";
import { initial } from "./migrations/0001-initial.js";
import { searchTiers } from "./migrations/0002-search-tiers.js";

export const MIGRATION_TABLE = "history_migrations";

function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    "0001-initial": initial(dialect),
    "0002-search-tiers": searchTiers(dialect),
  };
}

/** Brings the database to the newest schema; throws the first migration error. */
export async function migrate(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const migrator = new Migrator({ db, provider, migrationTableName: MIGRATION_TABLE, migrationLockTableName: `${MIGRATION_TABLE}_lock` });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

/** Whether every migration is applied already (a read: most opens need no lock). */
export async function isCurrent(db: Kysely<unknown>): Promise<boolean> {
  try {
    const applied = new Set(await appliedMigrations(db));
    return Object.keys(migrations("sqlite")).every((name) => applied.has(name));
  } catch {
    return false; // no migration table yet
  }
}

/** Names of the migrations applied, oldest first (for `doctor` and the tests). */
export async function appliedMigrations(db: Kysely<unknown>): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db);
  return rows.rows.map((row) => row.name);
}

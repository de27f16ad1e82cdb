import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { EnvironmentError } from "../../core/index.js";
import { isCurrent, migrate } from "./migrations.js";
import type { HistorySchema } from "./schema.js";
import { describeTarget, type StoreTarget } from "./target.js";

export type Dialect = "sqlite" | "postgres";

/** An open history store: one Kysely handle over SQLite or PostgreSQL. close() is idempotent. */
export interface HistoryDb {
  readonly db: Kysely<HistorySchema>;
  readonly dialect: Dialect;
  readonly target: StoreTarget;
  close(): Promise<void>;
}

/** The SQLite file is not a database, or is damaged: it has to be moved aside and rebuilt. */
export class StoreCorruptError extends Error {}

const INT8_OID = 20;

/** bigint columns (times in ms, token counts) as numbers: they stay far below 2^53. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/** Opens the store and brings its schema up to date. Throws StoreCorruptError for a damaged SQLite file. */
export async function openStore(target: StoreTarget): Promise<HistoryDb> {
  const opened = target.kind === "sqlite" ? openSqlite(target.file) : { handle: openPostgres(target.url), database: null };
  const handle = opened.handle;
  try {
    if (!(await isCurrent(handle.db as Kysely<unknown>))) {
      if (opened.database === null) await migrate(handle.db as Kysely<unknown>, handle.dialect);
      else await migrateLocked(opened.database, handle);
    }
  } catch (error) {
    await handle.close();
    if (isCorruption(error))
      throw new StoreCorruptError(`the history store ${describeTarget(target)} is damaged: ${(error as Error).message}`, { cause: error });
    throw error;
  }
  return handle;
}

/**
 * Kysely takes no lock for SQLite migrations (its adapter assumes one
 * connection), so a daemon and a command opening a new file at once would both
 * create the tables: the whole migration runs in one BEGIN IMMEDIATE
 * transaction instead, and the second opener waits for it (busy_timeout).
 */
async function migrateLocked(database: Database.Database, handle: HistoryDb): Promise<void> {
  await beginImmediate(database);
  try {
    await migrate(handle.db as Kysely<unknown>, handle.dialect);
    database.exec("COMMIT");
  } catch (error) {
    if (database.inTransaction) database.exec("ROLLBACK");
    throw error;
  }
}

/**
 * BEGIN IMMEDIATE, waiting without blocking the event loop: better-sqlite3's own
 * busy wait is synchronous, so a holder in this same process (awaiting between
 * statements) could never finish while we spin.
 */
async function beginImmediate(database: Database.Database, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  database.pragma("busy_timeout = 0");
  try {
    for (;;) {
      try {
        database.exec("BEGIN IMMEDIATE");
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== "SQLITE_BUSY" || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  } finally {
    database.pragma("busy_timeout = 5000");
  }
}

function openSqlite(file: string): { handle: HistoryDb; database: Database.Database } {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fresh = !existsSync(file);
  let database: Database.Database;
  try {
    database = new Database(file);
    if (fresh) chmodSync(file, 0o600);
    database.pragma("journal_mode = WAL");
    // NORMAL under WAL: a power loss may drop the last commits, never corrupt; what is lost is re-read from Redis.
    database.pragma("synchronous = NORMAL");
    database.pragma("busy_timeout = 5000");
  } catch (error) {
    if (isCorruption(error)) throw new StoreCorruptError(`the history store SQLite ${file} is damaged: ${(error as Error).message}`, { cause: error });
    throw new EnvironmentError(`cannot open the history store ${file}: ${(error as Error).message}`, { cause: error });
  }
  const db = new Kysely<HistorySchema>({ dialect: new SqliteDialect({ database }) });
  let closed: Promise<void> | null = null;
  const handle: HistoryDb = {
    db,
    dialect: "sqlite",
    target: { kind: "sqlite", file },
    close: () => (closed ??= db.destroy()),
  };
  return { handle, database };
}

function openPostgres(url: string): HistoryDb {
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000, types: pgTypes });
  // A client whose server went away (57P01 on shutdown) emits "error", idle in the pool or not;
  // unheard, that kills the daemon. The next query reports the outage instead.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = new Kysely<HistorySchema>({ dialect: new PostgresDialect({ pool }) });
  let closed: Promise<void> | null = null;
  return {
    db,
    dialect: "postgres",
    target: { kind: "postgres", url },
    close: () => (closed ??= db.destroy()),
  };
}

/** SQLite's own codes for a file that is not a database or is damaged. */
export function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB" || (typeof code === "string" && code.startsWith("SQLITE_CORRUPT"));
}

/**
 * The history store on both databases, real SQLite and real PostgreSQL:
 * migrations, idempotent upserts, listings with cursors, full-text search
 * (with hostile input searched for as text) and the append-only audit log.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRedactor, type TaskRecord } from "../../core/index.js";
import { appliedMigrations, History, openStore, searchWords, type HistoryDb, type StoreTarget } from "../../history/index.js";
import { insertAudit, recordAudit } from "../../history/store/audit.js";
import { taskRow } from "../../history/store/task-row.js";
import { upsertTasks } from "../../history/store/tasks.js";
import { startPostgres, type TestPostgres } from "./postgres.js";

const redact = makeRedactor(["hunter2-secret"]);
const HOUR = 3600_000;

function record(id: string, task: string, fields: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id,
    agent: "alpha",
    session: "alpha-1",
    status: "completed",
    exitCode: 0,
    output: "",
    outputFile: null,
    submittedAt: new Date(Date.UTC(2026, 0, 1) + Number(id.replace(/\D/g, "")) * HOUR).toISOString(),
    startedAt: null,
    finishedAt: null,
    durationMs: 10,
    attempts: 1,
    task,
    timeoutSec: 60,
    priority: 0,
    idempotencyKey: null,
    routedBy: "explicit",
    dispatch: null,
    pane: null,
    cancelRequested: false,
    ...fields,
  };
}

const HOSTILE = [
  `'; DROP TABLE tasks; --`,
  `" OR 1=1 --`,
  `NEAR(migration rollback, 2)`,
  `migration*`,
  `-rollback`,
  `task:migration`,
  `(a OR b) AND NOT c`,
  `%_\\`,
  `^"`,
  `""""`,
  `\u0000\u001b[31m`,
  `migration) OR (1=1`,
];

let pg: TestPostgres;
const dirs: string[] = [];

beforeAll(async () => {
  pg = await startPostgres();
}, 600_000);
afterAll(() => {
  pg?.destroy();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const targets: [string, () => StoreTarget][] = [
  [
    "SQLite",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "ca-hs-"));
      dirs.push(dir);
      return { kind: "sqlite", file: join(dir, "history.db") };
    },
  ],
  ["PostgreSQL", () => ({ kind: "postgres", url: pg.url })],
];

describe.each(targets)("the history store on %s", (_name, target) => {
  let store: HistoryDb;
  let history: History;
  beforeAll(async () => {
    const t = target();
    if (t.kind === "postgres") {
      // a fresh schema per run: drop what an earlier describe left
      const s = await openStore(t);
      await sql`drop schema public cascade`.execute(s.db);
      await sql`create schema public`.execute(s.db);
      await s.close();
    }
    history = await History.at(t);
    store = history.store;
    const rows = [
      record("t01", "run the database migration", { status: "failed", exitCode: 1, output: "migration failed: column exists\n" }),
      record("t02", "echo hello", { output: "hello\n" }),
      record("t03", "deploy with token hunter2-secret", { agent: "deploy", output: "deployed\n" }),
      record("t04", HOSTILE.join("\n"), { output: "weird input handled\n" }),
      ...Array.from({ length: 26 }, (_, i) => record(`t${String(i + 10)}`, `filler task number ${i}`)),
    ];
    await upsertTasks(
      store.db,
      rows.map((r) => taskRow(r, redact)),
    );
  });
  afterAll(async () => {
    await history?.close();
  });

  it("applies the versioned migrations once, and opening again changes nothing", async () => {
    expect(await appliedMigrations(store.db as never)).toEqual(["0001-initial", "0002-search-tiers"]);
    const again = await openStore(store.target);
    expect(await appliedMigrations(again.db as never)).toEqual(["0001-initial", "0002-search-tiers"]);
    await again.close();
  });

  it("stores task text redacted", async () => {
    const task = await history.task("t03");
    expect(task?.task).toBe("deploy with token [redacted]");
  });

  it("never puts a task recorded as finished back into an open state, and keeps who submitted it", async () => {
    await upsertTasks(store.db, [taskRow(record("t02", "echo hello", { output: "hello\n" }), redact, { submittedBy: "ann@host", submittedVia: "cli" })]);
    await upsertTasks(store.db, [taskRow(record("t02", "echo hello", { status: "running", exitCode: null }), redact)]);
    const task = await history.task("t02");
    expect(task).toMatchObject({ status: "completed", exitCode: 0, submittedBy: "ann@host", submittedVia: "cli", output: "hello\n" });
  });

  it("pages through a filtered listing newest first, each task exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await history.tasks({ agent: "alpha", limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((t) => t.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(29);
    expect(new Set(seen).size).toBe(29);
    expect(seen[0]).toBe("t35");
    expect(seen.at(-1)).toBe("t01");
    expect((await history.tasks({ statuses: ["failed"] })).items.map((t) => t.id)).toEqual(["t01"]);
    const since = Date.UTC(2026, 0, 1) + 30 * HOUR;
    expect((await history.tasks({ since })).items.map((t) => t.id)).toEqual(["t35", "t34", "t33", "t32", "t31", "t30"]);
  });

  it("finds tasks by words of their text or output, stemmed, with the match marked in a snippet", async () => {
    const page = await history.tasks({ search: "migrations failing" });
    expect(page.items.map((t) => t.id)).toEqual(["t01"]);
    expect(page.items[0]?.snippet).toMatch(/«migration»/);
    expect((await history.tasks({ search: "column exists" })).items.map((t) => t.id)).toEqual(["t01"]);
  });

  it.each(HOSTILE)("searches for %j as text: no error, no injection, the store intact", async (text) => {
    const page = await history.tasks({ search: text });
    // Whatever matches contains words of the text (PostgreSQL drops stop words such as "or"), never everything.
    const words = searchWords(text).map((w) => w.toLowerCase());
    for (const item of page.items) {
      const task = await history.task(item.id);
      expect(words.some((w) => `${task?.task} ${task?.output}`.toLowerCase().includes(w))).toBe(true);
    }
    expect(page.items.length).toBeLessThan(30);
    expect((await history.tasks({ limit: 1000 })).items).toHaveLength(30);
  });

  it("finds the task whose text is made of those hostile strings by their words", async () => {
    expect((await history.tasks({ search: "DROP TABLE" })).items.map((t) => t.id)).toEqual(["t04"]);
    expect((await history.tasks({ search: "NEAR migration" })).items.map((t) => t.id)).toEqual(["t04"]);
  });

  it("ranks tasks whose own text holds every word first, newest first within each tier, and pages through them each once", async () => {
    await upsertTasks(
      store.db,
      [
        record("s40", "feed the zebras and the quokka", { agent: "beta" }),
        record("s41", "look at the zoo", { agent: "beta", output: "a quokka met a zebra\n" }),
        record("s42", "zebra quokka census", { agent: "gamma" }),
        record("s43", "count", { agent: "beta", output: "", answer: "the quokka outran the zebra" }),
        record("s44", "zebra only", { agent: "beta", output: "no match: one word\n" }),
      ].map((r) => taskRow(r, redact)),
    );
    const page = await history.tasks({ search: "zebra quokka" });
    expect(page.items.map((t) => t.id)).toEqual(["s42", "s40", "s43", "s41"]);
    expect(page.next).toBeNull();
    expect(page.items[0]?.snippet).toMatch(/«zebra» «quokka»/);
    expect(page.items[3]?.snippet).toMatch(/«quokka».*«zebra»/);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const one = await history.tasks({ search: "zebra quokka", limit: 1, ...(cursor ? { cursor } : {}) });
      paged.push(...one.items.map((t) => t.id));
      cursor = one.next ?? undefined;
    } while (cursor);
    expect(paged).toEqual(["s42", "s40", "s43", "s41"]);
    expect((await history.tasks({ search: "zebra quokka", agent: "beta" })).items.map((t) => t.id)).toEqual(["s40", "s43", "s41"]);
    await expect(history.tasks({ search: "zebra", cursor: (await history.tasks({ agent: "beta", limit: 1 })).next! })).rejects.toMatchObject({
      exitCode: 2,
    });
  });

  it("counts finished tasks per minute, completed, failed and cancelled apart, with the mean wait before start, every minute present", async () => {
    const base = Date.UTC(2027, 5, 1, 12, 0, 0);
    const at = (minute: number, second: number) => base + minute * 60_000 + second * 1000;
    const finished = (id: string, status: TaskRecord["status"], minute: number, waitMs: number | null) => {
      const submitted = at(minute, 1) - (waitMs ?? 0) - 5;
      return record(id, `tp ${id}`, {
        status,
        submittedAt: new Date(submitted).toISOString(),
        startedAt: waitMs === null ? null : new Date(submitted + waitMs).toISOString(),
        finishedAt: new Date(at(minute, 1)).toISOString(),
      });
    };
    await upsertTasks(
      store.db,
      [
        finished("tp1", "completed", 0, 100),
        finished("tp2", "completed", 0, 300),
        finished("tp3", "failed", 0, 200),
        finished("tp4", "timeout", 2, 1000),
        finished("tp5", "cancelled", 2, null),
        finished("tp6", "completed", 9, 50), // outside the window
        record("tp7", "still running", { status: "running", submittedAt: new Date(at(1, 0)).toISOString() }),
      ].map((r) => taskRow(r, redact)),
    );
    const buckets = await history.throughput(at(0, 30), at(3, 0), 60_000);
    expect(buckets).toEqual([
      { at: at(0, 0), completed: 2, failed: 1, cancelled: 0, meanWaitMs: 200 },
      { at: at(1, 0), completed: 0, failed: 0, cancelled: 0, meanWaitMs: null },
      { at: at(2, 0), completed: 0, failed: 1, cancelled: 1, meanWaitMs: 1000 },
    ]);
    await expect(history.throughput(at(0, 0), at(1, 0), 10)).rejects.toThrow(/at least 1000/);
  });

  it("refuses a cursor it did not make, with exit code 2", async () => {
    await expect(history.tasks({ cursor: "not-a-cursor" })).rejects.toMatchObject({ exitCode: 2 });
  });

  it("keeps the audit log append-only: updates and deletes are refused; prune removes only entries past the horizon", async () => {
    await insertAudit(store.db, [{ key: "old", at: Date.UTC(2020, 0, 1), actor: "a", via: "cli", action: "task.submit", target: "x", details: null }]);
    await recordAudit(store.db, { actor: "b", via: "sdk", action: "task.cancel", target: "y" });
    await expect(store.db.updateTable("audit").set({ actor: "mallory" }).execute()).rejects.toThrow(/append-only/);
    await expect(store.db.deleteFrom("audit").execute()).rejects.toThrow(/append-only/);
    const removed = await history.prune(Date.UTC(2021, 0, 1));
    expect(removed.audit).toBe(1);
    expect((await history.audit()).items.map((e) => e.actor)).toEqual(["b"]);
  });
});

/**
 * `backup`: the swarm's Redis state and its history, consistent with each
 * other. The Redis keys are snapshotted atomically (one Lua script) together
 * with the event stream's newest id; the store is then brought up to at
 * least that id (the entries are written here, idempotently, whether or not
 * the daemon's writer runs) before it is dumped. So the history in a backup
 * holds everything the Redis state in it has produced. `restore` puts both
 * back; the writer then re-reads the restored stream, which changes nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { keys as keysOf, Ledger, swarmRedactor, UsageError, type SwarmConfig } from "../../core/index.js";
import { RedisExecutionStore } from "../../workflows/index.js";
import { recordAudit } from "../store/audit.js";
import { getMeta, META } from "../store/meta.js";
import { openStore, type HistoryDb } from "../store/open.js";
import { describeTarget, type StoreTarget } from "../store/target.js";
import { writeBatch, type BatchSources } from "../writer/batch.js";
import { toEvent } from "../../core/index.js";
import { archiveName, createArchive, extractArchive, hasZstd } from "./archive.js";
import { adoptSwarmId, readSwarmId, swarmId } from "./identity.js";
import { decodeRecords, encodeRecords, restoreRedis, snapshotRedis } from "./redis-snapshot.js";
import { replaceStore, TABLES, writeTableFile, type TableName } from "./store-dump.js";

export const BACKUP_FORMAT = 1;

export interface Manifest {
  format: number;
  swarmId: string;
  home: string;
  prefix: string;
  createdAt: string;
  store: string;
  /** The event stream's newest id in the Redis snapshot; the history holds at least everything up to it. */
  streamLastId: string;
  redisKeys: number;
  rows: Record<string, number>;
}

export interface BackupOptions {
  readonly home: string;
  readonly config: Pick<SwarmConfig, "agents"> | null;
  readonly redis: Redis;
  readonly prefix: string;
  readonly target: StoreTarget;
  readonly out: string;
  readonly actor: string;
  readonly via: string;
}

export async function backup(options: BackupOptions): Promise<{ file: string; note: string | null; manifest: Manifest }> {
  const name = archiveName(options.out, hasZstd());
  const k = keysOf(options.prefix);
  const snapshot = await snapshotRedis(options.redis, options.prefix, k.events);
  const store = await openStore(options.target);
  const stage = mkdtempSync(join(tmpdir(), "ca-backup-"));
  try {
    await catchUp(store, options, snapshot.lastEventId);
    // Before the dump, so the restored audit log says when its backup was taken.
    await recordAudit(store.db, {
      actor: options.actor,
      via: options.via,
      action: "swarm.backup",
      target: name.file,
      details: { redisKeys: snapshot.records.length, streamLastId: snapshot.lastEventId },
    });
    writeFileSync(join(stage, "redis.bin"), encodeRecords(snapshot.records), { mode: 0o600 });
    mkdirSync(join(stage, "history"), { mode: 0o700 });
    const rows: Record<string, number> = {};
    for (const table of TABLES) rows[table] = await writeTableFile(store.db, table, join(stage, "history", `${table}.jsonl`));
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      swarmId: swarmId(options.home),
      home: options.home,
      prefix: options.prefix,
      createdAt: new Date().toISOString(),
      store: describeTarget(options.target),
      streamLastId: snapshot.lastEventId,
      redisKeys: snapshot.records.length,
      rows,
    };
    writeFileSync(join(stage, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    createArchive(name.file, name.compression, stage, ["manifest.json", "redis.bin", "history"]);
    return { file: name.file, note: name.note, manifest };
  } finally {
    rmSync(stage, { recursive: true, force: true });
    await store.close();
  }
}

/** Writes the stream's entries after the store's high-water mark, up to `untilId`, into the store. */
async function catchUp(store: HistoryDb, options: BackupOptions, untilId: string): Promise<void> {
  const k = keysOf(options.prefix);
  const executions = new RedisExecutionStore(options.redis, k.prefix);
  const sources: BatchSources = {
    redis: options.redis,
    ledger: new Ledger(options.redis, k.prefix),
    executionKey: (id) => executions.key(id),
    redact: swarmRedactor((options.config?.agents ?? []).map((agent) => agent.env)),
    hostOf: async (session) => (await options.redis.hget(k.session(session), "host")) || null,
  };
  let from = (await getMeta(store.db, META.lastEventId)) ?? null;
  if (untilId === "0-0") return;
  for (;;) {
    const start = from === null ? "-" : `(${from}`;
    const entries = (await options.redis.xrange(k.events, start, untilId, "COUNT", 500)) as [string, string[]][];
    if (entries.length === 0) return;
    await writeBatch(store.db, sources, entries.map(toEvent));
    from = entries.at(-1)![0];
  }
}

export interface RestoreOptions {
  readonly home: string;
  readonly redis: Redis;
  readonly prefix: string;
  readonly target: StoreTarget;
  readonly file: string;
  readonly force: boolean;
  readonly actor: string;
  readonly via: string;
}

const MEMBER = new RegExp(`^(?:manifest\\.json|redis\\.bin|history/(?:${TABLES.join("|")})\\.jsonl)$`);

export async function restore(options: RestoreOptions): Promise<Manifest> {
  const stage = mkdtempSync(join(tmpdir(), "ca-restore-"));
  try {
    extractArchive(options.file, stage, (name) => MEMBER.test(name.replace(/^\.\//, "")));
    const manifest = readManifest(join(stage, "manifest.json"), options.file);
    const here = readSwarmId(options.home);
    if (here !== null && here !== manifest.swarmId && !options.force) {
      throw new UsageError(`${options.file} is a backup of another swarm (${manifest.swarmId}, home ${manifest.home}); this home is swarm ${here}`, {
        hint: "Restoring it would replace this swarm's tasks, queues and history with the other's. Add --force if that is what you want.",
      });
    }
    const records = decodeRecords(readFileSync(join(stage, "redis.bin")));
    const tables = new Map<TableName, Record<string, unknown>[]>();
    for (const table of TABLES) tables.set(table, readLines(join(stage, "history", `${table}.jsonl`)));
    const store = await openStore(options.target);
    try {
      // Each swarm has its own key prefix: a backup's keys move under this home's (a forced restore of another swarm, or a swarm renamed since).
      await restoreRedis(options.redis, options.prefix, records, manifest.prefix);
      await replaceStore(store.db, tables);
      adoptSwarmId(options.home, manifest.swarmId);
      await recordAudit(store.db, {
        actor: options.actor,
        via: options.via,
        action: "swarm.restore",
        target: options.file,
        details: { from: manifest.swarmId, createdAt: manifest.createdAt, forced: options.force && here !== null && here !== manifest.swarmId },
      });
    } finally {
      await store.close();
    }
    return manifest;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function readManifest(file: string, archive: string): Manifest {
  let raw: Partial<Manifest>;
  try {
    raw = JSON.parse(readFileSync(file, "utf8")) as Partial<Manifest>;
  } catch {
    throw new UsageError(`${archive} has no readable manifest.json: not a claude-agent backup`);
  }
  if (raw.format !== BACKUP_FORMAT || typeof raw.swarmId !== "string" || typeof raw.prefix !== "string") {
    throw new UsageError(`${archive}: backup format ${JSON.stringify(raw.format)} is not one this version reads (${BACKUP_FORMAT})`);
  }
  return raw as Manifest;
}

function readLines(file: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return []; // a table the backup did not have
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

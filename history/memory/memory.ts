/**
 * Cross-session memory: entries scoped to the swarm, an agent or a
 * repository, added explicitly (`memory add`, the SDK, the API's
 * `remember`), found by hybrid retrieval: full-text ranking fused with
 * vector similarity (reciprocal rank fusion) when an embeddings endpoint is
 * configured, full-text alone otherwise or when the endpoint fails (with a
 * warning). Vectors are compared in this process (vectors.ts), from a cache
 * refreshed when entries are added or forgotten.
 */
import { newTaskId, UsageError, type Redactor } from "../../core/index.js";
import type { HistoryDb } from "../store/open.js";
import { fuseRankings, toBlob, type Embedder } from "./embeddings.js";
import { deleteMemory, entriesById, expireEntries, fullTextRanking, insertMemory, listEntries, type EntryRow, type ScopeFilter } from "./queries.js";
import { describeScope, scopeColumns, type MemoryScope } from "./scope.js";
import { VectorCache } from "./vectors.js";

export interface MemoryEntry {
  id: string;
  /** `swarm`, `agent:<name>` or `repo:<path>`. */
  scope: string;
  text: string;
  source: string;
  createdAt: string;
  expiresAt: string | null;
  createdBy: string | null;
  createdVia: string | null;
  /** Whether the entry has a vector (added while an embeddings endpoint answered). */
  embedded: boolean;
}

export interface MemorySearch {
  entries: MemoryEntry[];
  /** `hybrid` (full-text fused with vectors) or `full-text`. */
  mode: "hybrid" | "full-text";
  /** Set when the embeddings endpoint failed and the results are full-text only. */
  warning: string | null;
}

export interface AddOptions {
  readonly scope?: MemoryScope;
  readonly expiresInMs?: number | null;
  readonly source?: string;
  readonly actor?: string;
  readonly via?: string;
}

export const MAX_ENTRY_CHARS = 8000;
const CANDIDATES = 50;

export class Memory {
  private readonly vectors: VectorCache | null;

  constructor(
    readonly store: HistoryDb,
    private readonly embedder: Embedder | null,
    private readonly redact: Redactor = (text) => text,
    private readonly defaultExpiryMs: number | null = null,
  ) {
    this.vectors = embedder ? new VectorCache(store, embedder.model) : null;
  }

  /** Adds an entry; returns it and a warning when it could not get a vector (then only full-text finds it). */
  async add(text: string, options: AddOptions = {}): Promise<{ entry: MemoryEntry; warning: string | null }> {
    const clean = this.redact(text).replace(/\0/g, "\uFFFD").trim();
    if (clean === "") throw new UsageError("the memory entry is empty");
    if (clean.length > MAX_ENTRY_CHARS)
      throw new UsageError(`a memory entry is at most ${MAX_ENTRY_CHARS} characters (this one has ${clean.length}); keep entries to one fact each`);
    let embedding: Buffer | null = null;
    let warning: string | null = null;
    if (this.embedder) {
      try {
        embedding = toBlob((await this.embedder.embed([clean]))[0]!);
      } catch (error) {
        warning = `the embeddings endpoint failed (${(error as Error).message}); the entry is stored without a vector, so only full-text search finds it`;
      }
    }
    const now = Date.now();
    const expiresIn = options.expiresInMs === undefined ? this.defaultExpiryMs : options.expiresInMs;
    const row = {
      id: `m-${newTaskId(now)}`,
      ...scopeColumns(options.scope ?? { kind: "swarm" }),
      text: clean,
      source: options.source ?? "manual",
      created_at: now,
      expires_at: expiresIn === null ? null : now + expiresIn,
      created_by: options.actor ?? null,
      created_via: options.via ?? null,
      embedding,
      embedding_model: embedding ? this.embedder!.model : null,
    };
    await insertMemory(this.store.db, row);
    return { entry: toEntry(row), warning };
  }

  async forget(id: string): Promise<boolean> {
    return deleteMemory(this.store.db, id);
  }

  async list(filter: ScopeFilter | null = null, limit = 100): Promise<MemoryEntry[]> {
    return (await listEntries(this.store.db, filter, limit)).map(toEntry);
  }

  async get(ids: readonly string[]): Promise<MemoryEntry[]> {
    const rows = await entriesById(this.store.db, ids);
    return ids.flatMap((id) => (rows.has(id) ? [toEntry(rows.get(id)!)] : []));
  }

  close(): Promise<void> {
    return this.store.close();
  }

  async expire(): Promise<number> {
    return expireEntries(this.store.db);
  }

  /** The best `limit` entries for `text` within the scopes (null: all entries). */
  async search(text: string, filter: ScopeFilter | null = null, limit = 10): Promise<MemorySearch> {
    const { db, dialect } = this.store;
    // The query's vector is asked for first: its round trip overlaps the full-text query (SQLite's runs on this thread).
    const asked = this.embedder?.embed([text.slice(0, 8000)]).then(
      ([query]) => query!,
      (error: Error) => error,
    );
    const fullText = await fullTextRanking(db, dialect, text, filter, CANDIDATES);
    if (!asked) return { entries: await this.get(fullText.slice(0, limit)), mode: "full-text", warning: null };
    let vectorRanking: string[];
    try {
      const query = await asked;
      if (query instanceof Error) throw query;
      vectorRanking = await this.vectors!.nearest(query, filter, CANDIDATES);
    } catch (error) {
      const warning = `the embeddings endpoint failed (${(error as Error).message}); these are full-text results only`;
      return { entries: await this.get(fullText.slice(0, limit)), mode: "full-text", warning };
    }
    return { entries: await this.get(fuseRankings([fullText, vectorRanking]).slice(0, limit)), mode: "hybrid", warning: null };
  }
}

function toEntry(row: EntryRow | (EntryRow & { embedding: unknown })): MemoryEntry {
  return {
    id: row.id,
    scope: describeScope(row.scope, row.scope_value),
    text: row.text,
    source: row.source,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    expiresAt: row.expires_at === null ? null : new Date(Number(row.expires_at)).toISOString(),
    createdBy: row.created_by,
    createdVia: row.created_via,
    embedded: row.embedding_model !== null,
  };
}

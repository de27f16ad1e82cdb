/**
 * The memory's vectors of one embeddings model, held in this process as one
 * Float32Array of unit vectors (cosine similarity is then a dot product) with
 * the entries' ids, scopes and expiries beside it, and searched by a scan
 * that keeps only the best `limit` (no array of every score, no sort of it).
 * 100,000 entries of 72 dimensions are 28.8 MB of floats. Reloaded when the
 * table changed: its row count or its newest seq (both read from indexes).
 */
import { sql } from "kysely";
import type { HistoryDb } from "../store/open.js";
import { fromBlob } from "./embeddings.js";
import { scopeSql, type ScopeFilter } from "./queries.js";

interface Loaded {
  readonly fingerprint: string;
  readonly dims: number;
  /** Row i's unit vector is units[i * dims … (i + 1) * dims). */
  readonly units: Float32Array;
  readonly ids: string[];
  readonly scopes: string[];
  readonly values: string[];
  /** ms; NaN: never expires. */
  readonly expires: Float64Array;
}

export class VectorCache {
  private loaded: Loaded | null = null;

  constructor(
    private readonly store: HistoryDb,
    private readonly model: string,
  ) {}

  /** Ids of the entries within `filter` whose vectors are closest to `query`, best first; vectors of another length are not compared. */
  async nearest(query: Float32Array, filter: ScopeFilter | null, limit: number, now = Date.now()): Promise<string[]> {
    const { dims, units, ids, scopes, values, expires } = await this.rows();
    const q = unit(query);
    if (q === null || q.length !== dims || limit < 1) return [];
    const agents = new Set(filter?.agents ?? []);
    const repos = new Set(filter?.repos ?? []);
    // The best `limit` so far, worst last: a new score goes in only when it beats the worst.
    const best: { index: number; score: number }[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (expires[i]! <= now) continue;
      const scope = scopes[i]!;
      if (filter !== null && scope !== "swarm" && !(scope === "agent" ? agents.has(values[i]!) : repos.has(values[i]!))) continue;
      let score = 0;
      for (let k = 0, at = i * dims; k < dims; k++, at++) score += q[k]! * units[at]!;
      if (best.length === limit && score <= best[limit - 1]!.score) continue;
      let at = best.length === limit ? limit - 1 : best.length;
      while (at > 0 && best[at - 1]!.score < score) {
        best[at] = best[at - 1]!;
        at--;
      }
      best[at] = { index: i, score };
    }
    return best.map((b) => ids[b.index]!);
  }

  private async rows(): Promise<Loaded> {
    const { db } = this.store;
    const stamp = await sql<{ n: number | string; top: number | string | null }>`select count(*) as n, max(seq) as top from memory`.execute(db);
    const fingerprint = `${Number(stamp.rows[0]?.n ?? 0)}:${String(stamp.rows[0]?.top ?? "")}`;
    if (this.loaded?.fingerprint === fingerprint) return this.loaded;
    const rows = await db
      .selectFrom("memory")
      .select(["id", "scope", "scope_value", "expires_at", "embedding"])
      .where("embedding_model", "=", this.model)
      .where("embedding", "is not", null)
      .where(sql`${scopeSql(null, "memory", Date.now())}` as never)
      .execute();
    // One model's vectors share a length; should some differ, the most common length is the one compared.
    const lengths = new Map<number, number>();
    const vectors = rows.map((r) => unit(fromBlob(r.embedding!)));
    for (const v of vectors) if (v) lengths.set(v.length, (lengths.get(v.length) ?? 0) + 1);
    const dims = [...lengths.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
    const kept = rows.flatMap((row, i) => (vectors[i]?.length === dims ? [{ row, vector: vectors[i]! }] : []));
    const units = new Float32Array(kept.length * dims);
    kept.forEach(({ vector }, i) => units.set(vector, i * dims));
    this.loaded = {
      fingerprint,
      dims,
      units,
      ids: kept.map(({ row }) => row.id),
      scopes: kept.map(({ row }) => row.scope),
      values: kept.map(({ row }) => row.scope_value),
      expires: Float64Array.from(kept, ({ row }) => (row.expires_at === null ? Number.NaN : Number(row.expires_at))),
    };
    return this.loaded;
  }
}

/** The vector scaled to length 1, or null for a zero vector (similar to nothing). */
function unit(vector: Float32Array): Float32Array | null {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
  if (norm === 0 || !Number.isFinite(norm)) return null;
  const scale = 1 / Math.sqrt(norm);
  return vector.map((x) => x * scale);
}

/**
 * Vectors for memory entries from any OpenAI-compatible `/v1/embeddings`
 * endpoint (`llm.embeddings` in swarm.yaml), through @langchain/openai.
 * Retries are off and a call has a time limit: a failing endpoint must cost
 * a search no more than that before it falls back to full-text.
 */
import type { LlmConfig } from "../../core/index.js";

export interface Embedder {
  /** A name for the vectors' space (the model), stored with each vector: vectors of another model are not compared. */
  readonly model: string;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

const TIMEOUT_MS = 10_000;

export async function openAiEmbedder(config: LlmConfig, env: Readonly<Record<string, string | undefined>> = process.env): Promise<Embedder> {
  const { OpenAIEmbeddings } = await import("@langchain/openai");
  const apiKey = config.apiKeyEnv ? env[config.apiKeyEnv] : undefined;
  const client = new OpenAIEmbeddings({
    model: config.model,
    // A local server may want no key; the client insists on one.
    apiKey: apiKey ?? "not-needed",
    configuration: { baseURL: config.baseUrl },
    maxRetries: 0,
    timeout: TIMEOUT_MS,
    // Plain floats: base64 (the OpenAI client's default) is an OpenAI extension that not every compatible server has.
    encodingFormat: "float",
  });
  return {
    model: `${config.baseUrl} ${config.model}`,
    async embed(texts) {
      const vectors = await client.embedDocuments([...texts]);
      if (vectors.length !== texts.length) throw new Error(`the embeddings endpoint returned ${vectors.length} vectors for ${texts.length} texts`);
      return vectors.map((v) => {
        if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== "number" || !Number.isFinite(x)))
          throw new Error("the embeddings endpoint returned something that is not a vector");
        return Float32Array.from(v);
      });
    },
  };
}

export function toBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

export function fromBlob(blob: Buffer | Uint8Array): Float32Array {
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer, 0, Math.floor(copy.byteLength / 4));
}

/** Cosine similarity; 0 for vectors of different lengths (another model's). */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Reciprocal rank fusion: each list adds 1 / (k + rank) to an item's score (k = 60, as Cormack et al. measured). */
export function fuseRankings(lists: readonly (readonly string[])[], k = 60): string[] {
  const scores = new Map<string, number>();
  for (const list of lists) list.forEach((id, rank) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + rank + 1)));
  return [...scores.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([id]) => id);
}

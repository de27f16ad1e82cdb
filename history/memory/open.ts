import { swarmRedactor, type SwarmConfig } from "../../core/index.js";
import { openStore } from "../store/open.js";
import type { StoreTarget } from "../store/target.js";
import { openAiEmbedder } from "./embeddings.js";
import { Memory } from "./memory.js";

/** Memory over the swarm's store, with the embeddings endpoint of `llm.embeddings` when configured. close() closes the store. */
export async function openMemory(target: StoreTarget, config: Pick<SwarmConfig, "agents" | "llm" | "memory"> | null): Promise<Memory> {
  const store = await openStore(target);
  const embeddings = config?.llm?.embeddings ?? null;
  const embedder = embeddings ? await openAiEmbedder(embeddings) : null;
  const redact = config ? swarmRedactor(config.agents.map((agent) => agent.env)) : undefined;
  return new Memory(store, embedder, redact, config?.memory?.expireMs ?? null);
}

/**
 * The history parts of swarm.yaml: `database:` (where the durable history
 * lives and how long it is kept), `memory:` (lifetime of memory entries), the
 * top-level `llm.embeddings` endpoint, and each agent's `memory:` (injection
 * into its prompts): cross-field rules and normalizers, like the
 * other sections (the raw shapes are in schema.ts).
 */
import { durationMs } from "./retention.js";
import type { RawAgentMemory, RawDatabase, RawMemory, RawSwarmLlm } from "./schema.js";
import { normalizeLlm } from "./llm-rules.js";
import type { AgentMemoryConfig, DatabaseConfig, MemoryConfig, SwarmLlmConfig } from "./types.js";

const YEAR_MS = 365 * 24 * 3600 * 1000;
/** History is kept a year unless `database.retention` says otherwise. */
export const DEFAULT_HISTORY_RETENTION_MS = YEAR_MS;
export const DEFAULT_MEMORY_TOP_K = 5;
export const DEFAULT_MEMORY_MAX_CHARS = 4000;

/** Memory goes into the prompt a headless agent program reads; a shell task is a command, and interactive Claude gets its prompt pasted. */
export function agentMemoryProblems(agent: Record<string, unknown>, index: number): string[] {
  const memory = agent.memory;
  if (typeof memory !== "object" || memory === null || (memory as { inject?: unknown }).inject !== true) return [];
  if (agent.runtime === "shell")
    return [`agents.${index}.memory.inject: a shell agent's task is a command; memory is injected into agent programs' prompts only`];
  if (agent.mode === "interactive")
    return [`agents.${index}.memory.inject: not supported for interactive agents yet (their prompt is pasted into the program's TUI); use mode: headless`];
  return [];
}

export function normalizeDatabase(raw: RawDatabase): DatabaseConfig {
  return Object.freeze({ url: raw.url?.trim() ?? null, retentionMs: durationMs(raw.retention) ?? DEFAULT_HISTORY_RETENTION_MS });
}

export function normalizeMemory(raw: RawMemory): MemoryConfig {
  return Object.freeze({ expireMs: raw.expire === undefined ? null : durationMs(raw.expire) });
}

export function normalizeSwarmLlm(raw: RawSwarmLlm): SwarmLlmConfig {
  return Object.freeze({ embeddings: raw.embeddings ? normalizeLlm(raw.embeddings) : null });
}

export function normalizeAgentMemory(raw: RawAgentMemory): AgentMemoryConfig {
  return Object.freeze({ inject: raw.inject ?? false, topK: raw.top_k ?? DEFAULT_MEMORY_TOP_K, maxChars: raw.max_chars ?? DEFAULT_MEMORY_MAX_CHARS });
}

/**
 * Memory as one call, for the CLI, the SDK and the API's `remember` tool:
 * opens the swarm's store, adds (or forgets) an entry, records who did it in
 * the audit log, closes.
 */
import { NotFoundError, type SwarmConfig } from "../../core/index.js";
import { recordAudit } from "../store/audit.js";
import { targetOfHome } from "../store/target.js";
import type { MemoryEntry } from "./memory.js";
import { openMemory } from "./open.js";
import type { MemoryScope } from "./scope.js";

export interface RememberOptions {
  readonly home: string;
  /** The swarm's config (its embeddings endpoint, redaction, default expiry); null: none known. */
  readonly config: Pick<SwarmConfig, "agents" | "llm" | "memory" | "database"> | null;
  readonly text: string;
  readonly scope?: MemoryScope;
  readonly expiresInMs?: number | null;
  readonly actor: string;
  /** The interface: cli, sdk, api, mcp, … */
  readonly via: string;
}

export async function remember(options: RememberOptions): Promise<{ entry: MemoryEntry; warning: string | null }> {
  const memory = await openMemory(targetOfHome(options.home, options.config), options.config);
  try {
    const added = await memory.add(options.text, { scope: options.scope, expiresInMs: options.expiresInMs, actor: options.actor, via: options.via });
    await recordAudit(memory.store.db, {
      actor: options.actor,
      via: options.via,
      action: "memory.add",
      target: added.entry.id,
      details: { scope: added.entry.scope },
    });
    return added;
  } finally {
    await memory.close();
  }
}

export async function forget(options: Omit<RememberOptions, "text" | "scope" | "expiresInMs"> & { readonly id: string }): Promise<void> {
  const memory = await openMemory(targetOfHome(options.home, options.config), options.config);
  try {
    if (!(await memory.forget(options.id))) throw new NotFoundError(`no memory entry ${options.id}`, { hint: "`claude-agent memory list` shows the entries." });
    await recordAudit(memory.store.db, { actor: options.actor, via: options.via, action: "memory.forget", target: options.id });
  } finally {
    await memory.close();
  }
}

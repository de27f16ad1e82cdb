/**
 * The daemon's side of memory injection: a function the bridge calls while
 * it prepares an agent program's prompt. It opens the store on first use,
 * records in the task which entries went into its prompt, and never holds a
 * task up: a store or endpoint that fails or is slow means no memory block
 * for that task (logged), not a failed task.
 */
import type { AgentConfig, Ledger, LogFn, SwarmConfig, TaskRecord } from "../../core/index.js";
import { storeTarget } from "../store/target.js";
import { memoryContext, type MemoryContext } from "./context.js";
import type { Memory } from "./memory.js";
import { openMemory } from "./open.js";

export type PromptContextFn = (agent: AgentConfig, record: TaskRecord) => Promise<MemoryContext | null>;

const LIMIT_MS = 5000;

export function memoryProvider(options: { home: string; config: SwarmConfig; ledger: Ledger; log?: LogFn }): PromptContextFn & { close(): Promise<void> } {
  const log = options.log ?? (() => undefined);
  let memory: Promise<Memory> | null = null;
  const provide = async (agent: AgentConfig, record: TaskRecord): Promise<MemoryContext | null> => {
    if (!agent.memory?.inject) return null;
    try {
      memory ??= openMemory(storeTarget(options.home, options.config), options.config);
      const opened = memory;
      const context = await Promise.race([
        opened.then((m) => memoryContext(m, agent, record)),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${LIMIT_MS} ms`)), LIMIT_MS).unref()),
      ]);
      if (context.entryIds.length > 0) await options.ledger.update(record.id, { memoryEntries: JSON.stringify(context.entryIds) });
      return context;
    } catch (error) {
      memory?.catch(() => (memory = null)); // a store that failed to open is tried again next time
      log("memory.inject.failed", { taskId: record.id, agent: agent.name, error });
      return null;
    }
  };
  return Object.assign(provide, {
    close: async () => {
      const opened = memory;
      memory = null;
      await opened?.then(
        (m) => m.close(),
        () => undefined,
      );
    },
  });
}

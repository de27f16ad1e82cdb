import { NotFoundError, UsageError } from "../core/index.js";
import type { ExecutionState } from "./types.js";

/**
 * Changes one execution. It gets a private copy to edit in place (or return a
 * replacement). A store may call it more than once when it lost a race, so it
 * must depend on its argument only; throwing aborts the update with no write.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: an edit in place returns nothing, and `undefined` would make every such callback spell out a return
export type Mutation = (state: ExecutionState) => ExecutionState | void;

/** Where executions live. Every write is atomic per execution; see RedisExecutionStore. */
export interface ExecutionStore {
  /** Throws UsageError when an execution with that id already exists. */
  create(state: ExecutionState): Promise<void>;
  get(id: string): Promise<ExecutionState | null>;
  /** Applies `mutate` atomically and returns the state written. Throws NotFoundError for an unknown id. */
  update(id: string, mutate: Mutation): Promise<ExecutionState>;
  /** Newest first. */
  list(): Promise<ExecutionState[]>;
}

export function executionNotFound(id: string): NotFoundError {
  return new NotFoundError(`no workflow execution "${id}"`, { context: { executionId: id } });
}

export function executionExists(id: string): UsageError {
  return new UsageError(`workflow execution "${id}" already exists`, { context: { executionId: id } });
}

/** Keeps JSON text, like Redis does, so callers never share objects with the store. */
export class MemoryExecutionStore implements ExecutionStore {
  private readonly records = new Map<string, string>();

  async create(state: ExecutionState): Promise<void> {
    if (this.records.has(state.id)) throw executionExists(state.id);
    this.records.set(state.id, JSON.stringify(state));
  }

  async get(id: string): Promise<ExecutionState | null> {
    const text = this.records.get(id);
    return text === undefined ? null : (JSON.parse(text) as ExecutionState);
  }

  async update(id: string, mutate: Mutation): Promise<ExecutionState> {
    const text = this.records.get(id);
    if (text === undefined) throw executionNotFound(id);
    const draft = JSON.parse(text) as ExecutionState;
    const next = mutate(draft) ?? draft;
    this.records.set(id, JSON.stringify(next));
    return JSON.parse(JSON.stringify(next)) as ExecutionState;
  }

  async list(): Promise<ExecutionState[]> {
    const all = [...this.records.values()].map((text) => JSON.parse(text) as ExecutionState);
    return all.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }
}

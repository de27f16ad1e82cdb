import type { ExecutionStore, Mutation } from "../store.js";
import type { ExecutionState } from "../types.js";

/**
 * Wraps a store so a test can "kill -9" the engine using it: after crash(),
 * every call (and so the engine) hangs forever, writing nothing more, while
 * the wrapped store keeps what was written before, as Redis would.
 */
export class CrashableStore implements ExecutionStore {
  private crashed = false;

  constructor(private readonly inner: ExecutionStore) {}

  crash(): void {
    this.crashed = true;
  }

  private guard<T>(call: () => Promise<T>): Promise<T> {
    return this.crashed ? new Promise<T>(() => undefined) : call();
  }

  create(state: ExecutionState): Promise<void> {
    return this.guard(() => this.inner.create(state));
  }

  get(id: string): Promise<ExecutionState | null> {
    return this.guard(() => this.inner.get(id));
  }

  update(id: string, mutate: Mutation): Promise<ExecutionState> {
    return this.guard(() => this.inner.update(id, mutate));
  }

  list(): Promise<ExecutionState[]> {
    return this.guard(() => this.inner.list());
  }
}

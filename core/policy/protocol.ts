/** Messages between checker.ts and a policy worker. */
import type { PolicyVerdict } from "./evaluate.js";

export interface CheckRequest {
  readonly id: number;
  readonly text: string;
  /** The agent's patterns as written; the worker compiles them once and keeps them. */
  readonly deny: readonly string[];
  readonly ask: readonly string[];
  readonly allow: readonly string[];
  /** How long the check may take, counted from when the worker starts it. */
  readonly budgetMs: number;
}

export type CheckResponse =
  | { readonly ready: true }
  | { readonly id: number; readonly verdict: PolicyVerdict }
  | { readonly id: number; readonly error: string };

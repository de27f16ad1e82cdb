/**
 * The command policy: what a shell agent (and the langchain agent's command
 * tool) may run. A guard against accidents, not a security boundary (that is
 * the sandbox): the default rules refuse the well-known disasters however
 * they are spelled, and an agent's `policy: { deny, allow }` patterns apply to
 * each command of the task. Checks run in worker threads with a time limit.
 */
import { PolicyChecker, type CheckOptions } from "./checker.js";
import { VerdictHandOff } from "./hand-off.js";
import type { PolicyVerdict } from "./evaluate.js";
import type { CompiledPolicy } from "./patterns.js";

export { compilePolicy, type CompiledPolicy, type PolicyConfig, type PolicyRule } from "./patterns.js";
export { policyBudgetMs, type CheckOptions } from "./checker.js";
export type { PolicyVerdict } from "./evaluate.js";
export { expandForPolicy } from "./task-env.js";
export { VerdictHandOff } from "./hand-off.js";

let shared: PolicyChecker | null = null;
const handOff = new VerdictHandOff();

export interface PolicyCheckOptions extends CheckOptions {
  /**
   * `give`: a submit's check, whose verdict this process's bridge may use once for the same command
   * (hand-off.ts); `take`: the bridge's check before the dispatch, which uses such a verdict if there is one.
   */
  readonly handOff?: "give" | "take";
}

/** The verdict on a task (a bash command line or script) under the defaults and the agent's compiled patterns. */
export async function checkPolicy(task: string, policy: CompiledPolicy, options: PolicyCheckOptions = {}): Promise<PolicyVerdict> {
  if (options.handOff === "take") {
    const kept = handOff.take(task, policy);
    if (kept) return kept;
  }
  shared ??= new PolicyChecker();
  const verdict = await shared.check(task, policy, options);
  if (options.handOff === "give") handOff.give(task, policy, verdict);
  return verdict;
}

/** Stops the policy workers (idempotent; the next check starts them again). Idle workers never keep a process alive. */
export async function closePolicyChecker(): Promise<void> {
  const checker = shared;
  shared = null;
  await checker?.close();
}

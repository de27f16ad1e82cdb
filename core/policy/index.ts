/**
 * The command policy: what a shell agent (and the langchain agent's command
 * tool) may run. A guard against accidents, not a security boundary (that is
 * the sandbox): the default rules refuse the well-known disasters however
 * they are spelled, and an agent's `policy: { deny, allow }` patterns apply to
 * each command of the task. Checks run in worker threads with a time limit.
 */
import { PolicyChecker, type CheckOptions } from "./checker.js";
import { VerdictCache } from "./verdicts.js";
import type { PolicyVerdict } from "./evaluate.js";
import type { CompiledPolicy } from "./patterns.js";

export { compilePolicy, type CompiledPolicy, type PolicyConfig, type PolicyRule } from "./patterns.js";
export { policyBudgetMs, type CheckOptions } from "./checker.js";
export type { PolicyVerdict } from "./evaluate.js";
export { expandForPolicy } from "./task-env.js";

let shared: PolicyChecker | null = null;
const verdicts = new VerdictCache();

/**
 * The verdict on a task (a bash command line or script) under the defaults and the agent's compiled patterns.
 * A command this process has checked before under the same rules is answered from its verdicts (verdicts.ts).
 */
export async function checkPolicy(task: string, policy: CompiledPolicy, options: CheckOptions = {}): Promise<PolicyVerdict> {
  const kept = verdicts.get(task, policy);
  if (kept) return kept;
  shared ??= new PolicyChecker();
  const verdict = await shared.check(task, policy, options);
  verdicts.set(task, policy, verdict);
  return verdict;
}

/** Stops the policy workers (idempotent; the next check starts them again). Idle workers never keep a process alive. */
export async function closePolicyChecker(): Promise<void> {
  const checker = shared;
  shared = null;
  await checker?.close();
}

import { createHash } from "node:crypto";
import type { PolicyVerdict } from "./evaluate.js";
import type { CompiledPolicy } from "./patterns.js";

/** Distinct commands kept at most; the least recently used go first, so a burst of new commands cannot grow it without bound. */
const MAX_KEPT = 4096;
/** Verdicts that say the check itself failed (its time ran out, its worker died), not what the text is: checked again next time. */
const NOT_OF_THE_TEXT = new Set(["policy-timeout", "policy-error"]);

/**
 * Verdicts already reached in this process, by command and rules. A verdict
 * is a function of the text and the policy's rules alone (the parse and the
 * default rules are this build's code), so a command checked once needs no
 * second trip to a policy worker: an agent's gate is the same text at every
 * dispatch, and so is a task run again and again (`npm test`). Each trip costs
 * the caller's main thread two hand-overs to the worker thread besides the
 * worker's own parse: a CPU profile of one-at-a-time `POST /v1/tasks?wait=` put
 * 1.1 ms of the daemon's main thread per task in the hand-overs of its two checks
 * (the submit's and the bridge's), and one-at-a-time dispatches of `true` spent 0.30 ms
 * (p50) from the bridge's read of the task to its verdict.
 *
 * The key is a digest of the command and of the rules, so a text changed in Redis
 * after its submit (why the bridge checks again at all) is a new key, checked afresh.
 */
export class VerdictCache {
  private readonly kept = new Map<string, PolicyVerdict>();

  get(text: string, policy: CompiledPolicy): PolicyVerdict | null {
    const key = keyOf(text, policy);
    const verdict = this.kept.get(key);
    if (verdict === undefined) return null;
    // Most recently used last: Map keeps insertion order, and eviction takes the first.
    this.kept.delete(key);
    this.kept.set(key, verdict);
    return verdict;
  }

  set(text: string, policy: CompiledPolicy, verdict: PolicyVerdict): void {
    if (!verdict.allowed && NOT_OF_THE_TEXT.has(verdict.rule)) return;
    const key = keyOf(text, policy);
    this.kept.delete(key);
    if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, verdict);
  }

  get size(): number {
    return this.kept.size;
  }
}

function keyOf(text: string, policy: CompiledPolicy): string {
  const rules = (list: CompiledPolicy["deny"]) => list.map((rule) => String(rule.pattern));
  return createHash("sha256")
    .update(JSON.stringify([rules(policy.deny), rules(policy.ask), rules(policy.allow)]))
    .update("\0")
    .update(text)
    .digest("hex");
}

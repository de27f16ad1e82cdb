import { createHash } from "node:crypto";
import type { PolicyVerdict } from "./evaluate.js";
import type { CompiledPolicy } from "./patterns.js";

/** A verdict waits this long for the dispatch check; a task queued longer is simply checked again. */
const KEEP_MS = 10 * 60_000;
/** Distinct commands kept at most (the oldest go first): a burst of new commands cannot grow it without bound. */
const MAX_KEPT = 10_000;

interface Kept {
  readonly verdict: PolicyVerdict;
  /** Submits of this command (under this policy) whose verdict no dispatch check has used yet. */
  count: number;
  until: number;
}

/**
 * Verdicts a process reached when a task was submitted, handed to its own
 * bridge's check of the same command before the dispatch. In the daemon (the
 * HTTP API and the workflow engine submit there) a shell task's command was
 * parsed twice in one process: a CPU profile of one-at-a-time
 * `POST /v1/tasks?wait=` put 1.1 ms of the daemon's main thread per task in the
 * two hand-overs to the policy's worker thread, besides the worker's own parse.
 * The key is a digest of the command and of the policy's rules, so a text changed
 * in Redis after the submit (the reason the bridge checks again) is checked
 * afresh; each submit's verdict serves one dispatch check, and a process that
 * submits but does not dispatch (the CLI, the SDK) only ever gives.
 */
export class VerdictHandOff {
  private readonly kept = new Map<string, Kept>();

  constructor(private readonly now: () => number = Date.now) {}

  give(text: string, policy: CompiledPolicy, verdict: PolicyVerdict): void {
    const key = keyOf(text, policy);
    const kept = this.kept.get(key);
    const until = this.now() + KEEP_MS;
    if (kept) {
      kept.count++;
      kept.until = until;
      return;
    }
    if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, { verdict, count: 1, until });
  }

  /** The verdict a submit in this process gave for this command, used up; null when there is none. */
  take(text: string, policy: CompiledPolicy): PolicyVerdict | null {
    const key = keyOf(text, policy);
    const kept = this.kept.get(key);
    if (!kept) return null;
    if (kept.until < this.now()) {
      this.kept.delete(key);
      return null;
    }
    if (--kept.count === 0) this.kept.delete(key);
    return kept.verdict;
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

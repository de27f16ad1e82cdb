/**
 * The command policy, checked again by the bridge before a task reaches a
 * pane. The submitting client checks it too, but a job is only a task id in
 * a Redis queue and a hash in the ledger: whoever can write to Redis can
 * queue any text for any agent. What a shell agent runs (the task) and what
 * any agent's gate runs are commands; an agent program's task is a prompt.
 */
import { checkPolicy, compilePolicy, expandForPolicy, type AgentConfig, type TaskRecord } from "../core/index.js";

type Compiled = ReturnType<typeof compilePolicy>;
const compiled = new WeakMap<AgentConfig, Compiled>();

export interface Refusal {
  readonly rule: string;
  readonly reason: string;
}

/**
 * Why the task must not be dispatched, or null. `record.task` is the text that runs (the raw
 * one, not the record's redacted copy), judged with its own variables put in (workflow values).
 * An unknown agent is the caller's business.
 */
export async function dispatchVerdict(record: Pick<TaskRecord, "task" | "gate" | "env">, agent: AgentConfig | undefined): Promise<Refusal | null> {
  if (!agent) return null;
  const policy = policyOf(agent);
  if (agent.runtime === "shell") {
    let verdict = await checkPolicy(record.task, policy);
    if (verdict.allowed && record.env !== undefined) verdict = await checkPolicy(expandForPolicy(record.task, record.env), policy);
    if (!verdict.allowed) return { rule: verdict.rule, reason: `${withRule(verdict)} (checked by the bridge before dispatch)` };
  }
  const gate = gateCommand(record, agent);
  if (gate !== null) {
    const verdict = await checkPolicy(gate, policy);
    if (!verdict.allowed) return { rule: verdict.rule, reason: `its gate was ${withRule(verdict)}: ${gate}` };
  }
  return null;
}

/** The gate a task runs: its own (`--gate`), else its agent's. */
export function gateCommand(record: Pick<TaskRecord, "gate">, agent: AgentConfig): string | null {
  return record.gate ?? agent.gate ?? null;
}

/** The policy's reason, naming the rule that refused (an allow-list refusal names none by itself). */
function withRule(verdict: { readonly rule: string; readonly reason: string }): string {
  return verdict.reason.includes(verdict.rule) ? verdict.reason : `${verdict.reason} (rule ${verdict.rule})`;
}

function policyOf(agent: AgentConfig): Compiled {
  let policy = compiled.get(agent);
  if (!policy) compiled.set(agent, (policy = compilePolicy(agent.policy ?? {})));
  return policy;
}

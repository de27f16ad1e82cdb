/**
 * The command policy, checked again by the bridge before a task reaches a
 * pane. The submitting client checks it too, but a job is only a task id in
 * a Redis queue and a hash in the ledger: whoever can write to Redis can
 * queue any text for any agent. (A command this process has checked before under
 * the same rules is answered from its verdicts: core/policy/verdicts.ts.)
 * What a shell agent runs (the task) and what
 * any agent's gate runs are commands; an agent program's task is a prompt.
 */
import { checkPolicy, compilePolicy, expandForPolicy, type AgentConfig, type TaskRecord } from "../core/index.js";

type Compiled = ReturnType<typeof compilePolicy>;
const compiled = new WeakMap<AgentConfig, Compiled>();

export interface Refusal {
  readonly kind: "refuse";
  readonly rule: string;
  readonly reason: string;
}

/** A command an `ask` rule matched and nothing refused: the task waits for a person's approval (policy-holds.ts). */
export interface Asking {
  readonly kind: "ask";
  readonly rule: string;
  /** The command as the policy read it (raw: the caller redacts it before anyone sees it). */
  readonly command: string;
  readonly what: "task" | "gate";
}

/**
 * Why the task must not be dispatched (a refusal, or an ask), or null. `record.task` is the text that runs (the raw
 * one, not the record's redacted copy), judged with its own variables put in (workflow values). A refusal of the
 * task or its gate wins over an ask of either. An unknown agent is the caller's business.
 */
export async function dispatchVerdict(record: Pick<TaskRecord, "task" | "gate" | "env">, agent: AgentConfig | undefined): Promise<Refusal | Asking | null> {
  if (!agent) return null;
  const policy = policyOf(agent);
  let asking: Asking | null = null;
  if (agent.runtime === "shell") {
    const texts = [record.task, ...(record.env !== undefined ? [expandForPolicy(record.task, record.env)] : [])];
    for (const text of texts) {
      const verdict = await checkPolicy(text, policy);
      if (verdict.allowed) continue;
      if (verdict.ask) asking ??= { kind: "ask", rule: verdict.rule, command: verdict.ask.command, what: "task" };
      else return { kind: "refuse", rule: verdict.rule, reason: `${withRule(verdict)} (checked by the bridge before dispatch)` };
    }
  }
  const gate = gateCommand(record, agent);
  if (gate !== null) {
    const verdict = await checkPolicy(gate, policy);
    if (verdict.ask) asking ??= { kind: "ask", rule: verdict.rule, command: verdict.ask.command, what: "gate" };
    else if (!verdict.allowed) return { kind: "refuse", rule: verdict.rule, reason: `its gate was ${withRule(verdict)}: ${gate}` };
  }
  return asking;
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

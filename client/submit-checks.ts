import {
  checkPolicy,
  checkTaskText,
  compilePolicy,
  expandForPolicy,
  limitsOf,
  MAX_GATE_RETRIES,
  UsageError,
  type AgentConfig,
  type PolicyVerdict,
  type SwarmConfig,
  type TaskRecord,
} from "../core/index.js";
import { LOWEST_PRIORITY } from "./task-queues.js";
import type { SubmitOptions } from "./task-submit.js";

/**
 * What a submit may ask for, checked before anything is written: the task text, the time limit,
 * the priority, the gate and commit options against the agent, and the policy's verdict on the
 * commands. Each is a check of one option against the swarm's config, apart from the submission's
 * steps (task-submit.ts) so that a new option adds its check here and leaves those steps alone.
 */

/**
 * The task text every entry point submits (CLI, SDK, workflow steps, a future
 * HTTP API): not empty, no NUL byte (bash drops it), valid Unicode, and within
 * the swarm's `limits.task_bytes`; then the time limit and the priority.
 */
export function checkSubmitOptions(options: SubmitOptions, config: SwarmConfig): void {
  checkTaskText(options.task, { limitBytes: limitsOf(config).taskBytes });
  if (options.timeout !== undefined && !(Number.isInteger(options.timeout) && options.timeout > 0)) {
    throw new UsageError(`--timeout: expected a positive whole number of seconds, got ${JSON.stringify(options.timeout)}`);
  }
  if (options.priority !== undefined && !(Number.isInteger(options.priority) && options.priority >= 1 && options.priority <= LOWEST_PRIORITY)) {
    throw new UsageError(`--priority: expected a whole number from 1 (most urgent) to ${LOWEST_PRIORITY}, got ${JSON.stringify(options.priority)}`);
  }
}

/** The gate and commit options of a task, checked against its agent (a shell agent has nothing to re-prompt). */
export function gateOptions(options: SubmitOptions, agent: AgentConfig): Partial<TaskRecord> {
  const out: Partial<TaskRecord> = {};
  if (options.gate !== undefined) {
    if (typeof options.gate !== "string" || options.gate.trim() === "")
      throw new UsageError(`--gate: expected a shell command, got ${JSON.stringify(options.gate)}`);
    out.gate = options.gate.trim();
  }
  if (options.gateRetries !== undefined) {
    const n = options.gateRetries;
    if (!(Number.isInteger(n) && n >= 0 && n <= MAX_GATE_RETRIES))
      throw new UsageError(`--gate-retries: expected a whole number from 0 to ${MAX_GATE_RETRIES}, got ${JSON.stringify(n)}`);
    if (n > 0 && agent.runtime === "shell") {
      throw new UsageError(
        `--gate-retries: agent "${agent.name}" is a shell agent; gate retries re-prompt an agent program, and a shell would only run the same command again`,
      );
    }
    out.gateRetriesAllowed = n;
  }
  if (options.commit !== undefined) {
    if (typeof options.commit !== "boolean") throw new UsageError(`--commit: expected true or false, got ${JSON.stringify(options.commit)}`);
    if (options.commit && !agent.worktree)
      throw new UsageError(`--commit: agent "${agent.name}" has no worktree; commits need \`worktree: true\` in swarm.yaml`);
    out.autoCommit = options.commit;
  }
  return out;
}

/**
 * The policy verdict on a task at submit: shell tasks are commands, checked
 * against the safe defaults and the agent's own `policy`. An agent program's
 * task is a prompt, not a command (the langchain agent checks each command
 * its tool runs instead). A gate is a command whatever the runtime. The
 * bridge checks both again before the dispatch.
 */
export async function submitVerdict(task: string, gate: string | null, agent: AgentConfig, env?: Readonly<Record<string, string>>): Promise<PolicyVerdict> {
  const policy = compilePolicy(agent.policy ?? {});
  // A command an `ask` rule matches is queued: the bridge holds it for a person's approval before it runs.
  const queued = async (text: string): Promise<PolicyVerdict> => {
    const verdict = await checkPolicy(text, policy);
    return verdict.ask ? { allowed: true } : verdict;
  };
  let verdict: PolicyVerdict = agent.runtime === "shell" ? await queued(task) : { allowed: true };
  // The task's variables hold values the policy must still see (`rm -rf "${CA_PARAM_DIR?}"` with "/").
  if (verdict.allowed && agent.runtime === "shell" && env !== undefined) verdict = await queued(expandForPolicy(task, env));
  if (!verdict.allowed || gate === null) return verdict;
  const gated = await queued(gate);
  return gated.allowed ? gated : { ...gated, reason: `its gate was ${gated.reason}: ${gate}` };
}

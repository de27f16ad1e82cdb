import type { ExecutionState, WorkflowClient } from "../../workflows/index.js";

/**
 * Approves or rejects a step waiting for approval: the one call behind `approve`, `reject`
 * and the prompt of `workflow run --wait`. Returns the state after it and the line that confirms it.
 */
export async function decideStep(
  workflows: WorkflowClient,
  id: string,
  step: string,
  decision: { approve: boolean; reason?: string | undefined },
): Promise<{ state: ExecutionState; message: string }> {
  if (decision.approve) return { state: await workflows.approve(id, step), message: `approved step "${step}" of execution ${id}\n` };
  const state = await workflows.reject(id, step, decision.reason);
  return { state, message: `rejected step "${step}" of execution ${id}${decision.reason ? `: ${decision.reason}` : ""}\n` };
}

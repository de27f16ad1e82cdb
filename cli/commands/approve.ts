import { printJson, type GlobalOptions } from "../context.js";
import { decideStep } from "./step-decision.js";
import { withWorkflows } from "./workflow.js";
import { print } from "../output.js";

/** `approve ID STEP` / `reject ID STEP`: decide a step waiting for approval; the daemon carries on at once. */

export async function approve(id: string, step: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withWorkflows(options, async (workflows) => {
    const { state, message } = await decideStep(workflows, id, step, { approve: true });
    if (options.json) return printJson({ id, step, approved: true, status: state.steps[step]?.status ?? null });
    print(message);
  });
}

export async function reject(id: string, step: string, options: GlobalOptions & { json?: boolean; reason?: string }): Promise<void> {
  await withWorkflows(options, async (workflows) => {
    const { state, message } = await decideStep(workflows, id, step, { approve: false, reason: options.reason });
    if (options.json) return printJson({ id, step, approved: false, status: state.steps[step]?.status ?? null, reason: state.steps[step]?.reason ?? null });
    print(message);
  });
}

import { printJson, type GlobalOptions } from "../context.js";
import { withWorkflows } from "./workflow.js";
import { print } from "../output.js";

/** `approve ID STEP` / `reject ID STEP`: decide a step waiting for approval; the daemon carries on at once. */

export async function approve(id: string, step: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withWorkflows(options, async (workflows) => {
    const state = await workflows.approve(id, step);
    if (options.json) return printJson({ id, step, approved: true, status: state.steps[step]?.status ?? null });
    print(`approved step "${step}" of execution ${id}\n`);
  });
}

export async function reject(id: string, step: string, options: GlobalOptions & { json?: boolean; reason?: string }): Promise<void> {
  await withWorkflows(options, async (workflows) => {
    const state = await workflows.reject(id, step, options.reason);
    if (options.json) return printJson({ id, step, approved: false, status: state.steps[step]?.status ?? null, reason: state.steps[step]?.reason ?? null });
    print(`rejected step "${step}" of execution ${id}${options.reason ? `: ${options.reason}` : ""}\n`);
  });
}

import { isTerminal } from "../../core/index.js";
import { printJson, withSwarm, type GlobalOptions } from "../context.js";
import { print } from "../output.js";

/** How long `cancel` waits for a running task's pane to confirm the interrupt. */
const CONFIRM_MS = 10_000;

export async function cancel(id: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withSwarm(options, async (swarm) => {
    const outcome = await swarm.client.cancel(id);
    let status = outcome.status;
    if (outcome.cancelled && !isTerminal(status)) {
      status = await swarm.client
        .result(id, { wait: true, signal: AbortSignal.timeout(CONFIRM_MS) })
        .then((r) => r.status)
        .catch(() => status);
    }
    if (options.json) return printJson({ id, cancelled: outcome.cancelled, status });
    if (!outcome.cancelled) print(`task ${id} had already ended: ${status}\n`);
    else if (status === "cancelled") print(`task ${id} cancelled\n`);
    else if (isTerminal(status)) print(`task ${id} ended as ${status} before the cancel reached it\n`);
    else print(`task ${id}: cancel requested; it is still ${status}\n`);
  });
}

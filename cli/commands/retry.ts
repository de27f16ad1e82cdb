import type { Submitted } from "../../client/index.js";
import { printJson, withSwarm, type GlobalOptions } from "../context.js";
import { print } from "../output.js";

/** What `retry` prints: the new task, or the earlier retry it gave back. */
export function retriedLine(id: string, retried: Submitted): string {
  return retried.created ? `task ${id} runs again as ${retried.id} on agent ${retried.agent}\n` : `task ${id} was retried before, as ${retried.id}\n`;
}

/** `claude-agent retry ID`: runs an ended task again, as its failed-task inbox item's approve does. */
export async function retry(id: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withSwarm(options, async (swarm) => {
    const retried = await swarm.client.retry(id);
    if (options.json) return printJson({ retryOf: id, ...retried });
    print(retriedLine(id, retried));
  });
}

import { printJson, withSwarm, type GlobalOptions } from "../context.js";
import { print } from "../output.js";

/** `claude-agent retry ID`: runs an ended task again, as its failed-task inbox item's approve does. */
export async function retry(id: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withSwarm(options, async (swarm) => {
    const retried = await swarm.client.retry(id);
    if (options.json) return printJson({ retryOf: id, ...retried });
    print(retried.created ? `task ${id} runs again as ${retried.id} on agent ${retried.agent}\n` : `task ${id} was retried before, as ${retried.id}\n`);
  });
}

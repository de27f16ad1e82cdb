import { printJson, withSwarm, type GlobalOptions } from "../context.js";
import { describeResult, exitCodeFor } from "../format.js";

export async function result(id: string, options: GlobalOptions & { wait?: boolean; json?: boolean }): Promise<void> {
  await withSwarm(options, async (swarm) => {
    const outcome = await swarm.result(id, { wait: options.wait });
    if (options.json) printJson(outcome);
    else process.stdout.write(`${describeResult(outcome)}\n`);
    process.exitCode = exitCodeFor(outcome);
  });
}

import { printJson, withSwarm, type GlobalOptions } from "../context.js";
import { describeResult, exitCodeFor } from "../format.js";
import { print } from "../output.js";

export interface ResultCliOptions extends GlobalOptions {
  wait?: boolean;
  json?: boolean;
  /** Ask the supervisor's model for a short summary of the result. */
  summary?: boolean;
}

export async function result(id: string, options: ResultCliOptions): Promise<void> {
  await withSwarm(options, async (swarm) => {
    const outcome = await swarm.result(id, { wait: options.wait });
    const summary = options.summary ? await swarm.client.summarize(id) : undefined;
    if (options.json) printJson(summary === undefined ? outcome : { ...outcome, summary });
    else {
      print(`${describeResult(outcome)}\n`);
      if (summary !== undefined) print(`\nsummary: ${summary}\n`);
    }
    process.exitCode = exitCodeFor(outcome);
  });
}

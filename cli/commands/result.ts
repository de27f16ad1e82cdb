import { NotFoundError } from "../../core/index.js";
import { listTasks, type SwarmClient } from "../../client/index.js";
import { printJson, withSwarm, type GlobalOptions } from "../context.js";
import { describeResult, exitCodeFor } from "../format.js";
import { print, printError } from "../output.js";

export interface ResultCliOptions extends GlobalOptions {
  wait?: boolean;
  json?: boolean;
  /** Ask the supervisor's model for a short summary of the result. */
  summary?: boolean;
}

export async function result(given: string | undefined, options: ResultCliOptions): Promise<number> {
  return withSwarm(options, async (swarm) => {
    const id = given ?? (await latestTask(swarm.client));
    const outcome = await swarm.result(id, { wait: options.wait });
    const summary = options.summary ? await swarm.client.summarize(id) : undefined;
    if (options.json) printJson(summary === undefined ? outcome : { ...outcome, summary });
    else {
      print(`${describeResult(outcome)}\n`);
      if (summary !== undefined) print(`\nsummary: ${summary}\n`);
    }
    return exitCodeFor(outcome);
  });
}

/** Without an id, `result` shows the task submitted last, and says which on stderr (stdout stays the result). */
async function latestTask(client: SwarmClient): Promise<string> {
  const latest = (await listTasks(client, { limit: 1 })).tasks[0];
  if (!latest) throw new NotFoundError("no tasks yet", { hint: 'Submit one: claude-agent submit --task "echo hello" --wait.' });
  printError(`the latest task: ${latest.id}\n`);
  return latest.id;
}

import { InfraError } from "../../core/index.js";
import { printJson, withSwarm, type GlobalOptions } from "../context.js";
import { print } from "../output.js";

/**
 * `claude-agent restart <session>`: asks the bridge to restart one agent
 * session (it kills it and starts it again with the agent's program, as after
 * a crash; a task running there is retried). NotFoundError (exit 2) for a
 * session the swarm does not have; InfraError (exit 5) when the bridge does not
 * act on the request in time.
 */
export async function restart(session: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withSwarm(options, async (swarm) => {
    const { request, ended } = await swarm.client.restartSession(session, { reason: "restart requested from the CLI" });
    if (!ended) {
      throw new InfraError(`${session}: the restart is queued, but the bridge did not act on it within 10 s`, {
        hint: "Is the swarm's daemon running? `claude-agent status` says; the request stays queued until a bridge takes it.",
        context: { session },
      });
    }
    if (options.json) return printJson({ session, restarting: true, requestedBy: request.actor, requestedAt: request.requestedAt });
    print(`${session}: killed; the bridge starts it again\n`);
  });
}

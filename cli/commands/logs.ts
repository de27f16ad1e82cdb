import { createRedis, EventStream, NotFoundError, redisTarget, terminalLine, type SwarmEvent } from "../../core/index.js";
import { homeOf, withSwarm, type GlobalOptions } from "../context.js";
import { wholeNumber } from "./submit.js";
import { print, printJsonLine } from "../output.js";

export async function logs(agent: string | undefined, options: GlobalOptions & { follow?: boolean; lines: string; json?: boolean }): Promise<void> {
  const count = wholeNumber("--lines", options.lines);
  await withSwarm(options, async (swarm) => {
    if (agent && !swarm.config.agents.some((a) => a.name === agent)) {
      throw new NotFoundError(`unknown agent "${agent}"`, { hint: `Agents: ${swarm.config.agents.map((a) => a.name).join(", ")}.` });
    }
    const show = (event: SwarmEvent) => {
      if (agent && event.agent !== agent) return;
      if (options.json) printJsonLine(event);
      else print(`${formatEvent(event)}\n`);
    };
    const past = await swarm.client.events.recent(agent ? count * 20 : count);
    const shown = agent ? past.filter((e) => e.agent === agent).slice(-count) : past;
    shown.forEach(show);
    if (!options.follow) return;
    const blocking = createRedis(redisTarget(homeOf(options)), { worker: true, name: "logs" });
    const stream = new EventStream(blocking, swarm.client.events.key);
    let cursor = past.at(-1)?.id ?? (await swarm.client.events.lastId());
    let stop = false;
    const onSignal = () => {
      stop = true;
      blocking.disconnect();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    while (!stop) {
      const events = await stream.read(cursor, 2000).catch(() => []); // a signal's disconnect ends the loop; Redis away: read again
      for (const event of events) {
        cursor = event.id;
        show(event);
      }
    }
  });
}

/** One line per event: every field is someone else's text, so each is kept to one line (and printed through terminalText). */
export function formatEvent(event: SwarmEvent): string {
  const time = event.at ? event.at.slice(11, 23) : "";
  const parts = [time, event.type.padEnd(15), event.taskId ?? "", event.agent ?? "", event.session ?? "", event.message ?? ""];
  return parts
    .filter((p) => p !== "")
    .map(terminalLine)
    .join("  ");
}

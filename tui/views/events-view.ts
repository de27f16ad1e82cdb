import type { SwarmEvent } from "../../core/index.js";
import { eventTime } from "../sources/throughput.js";
import { clock, escapeTags } from "./text.js";

const EVENT_COLORS: Readonly<Record<string, string>> = {
  "task.submitted": "cyan",
  "task.started": "blue",
  "task.completed": "green",
  "task.failed": "red",
  "task.timeout": "red",
  "task.cancelled": "magenta",
  "task.retrying": "yellow",
  "agent.up": "green",
  "agent.down": "red",
  "swarm.up": "green",
  "swarm.down": "red",
};

/** One events-log line with blessed tags. */
export function eventLine(event: SwarmEvent): string {
  const color = EVENT_COLORS[event.type] ?? "white";
  const who = event.session ?? event.agent ?? "";
  const rest = [who, event.taskId ?? "", event.status && !event.type.endsWith(event.status) ? event.status : "", event.message ?? ""].filter(Boolean).join(" ");
  return `{gray-fg}${clock(eventTime(event))}{/gray-fg} {${color}-fg}${escapeTags(event.type.padEnd(14))}{/${color}-fg} ${escapeTags(rest)}`;
}

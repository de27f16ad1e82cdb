import type { QueueDepth } from "../../client/index.js";
import { cell } from "./text.js";

const NUMBERS = [
  { title: "WAITING", key: "waiting", color: "yellow" },
  { title: "ACTIVE", key: "active", color: "cyan" },
  { title: "DONE", key: "completed", color: undefined },
  { title: "FAILED", key: "failed", color: "red" },
] as const;

/** The queue-depth table, one line per agent; numbers are coloured only when not zero. */
export function queueLines(queues: readonly QueueDepth[], width: number): string[] {
  const numberWidth = 7;
  const nameWidth = Math.max(6, width - NUMBERS.length * (numberWidth + 1));
  const header = `{bold}${cell("AGENT", nameWidth)}${NUMBERS.map((n) => ` ${cell(n.title, numberWidth, undefined, "right")}`).join("")}{/bold}`;
  const rows = queues.map((q) => {
    const numbers = NUMBERS.map((n) => {
      const value = q[n.key];
      return ` ${cell(String(value), numberWidth, value > 0 ? n.color : "gray", "right")}`;
    });
    return `${cell(q.agent, nameWidth)}${numbers.join("")}`;
  });
  return [header, ...rows];
}

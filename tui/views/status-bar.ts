import type { DashboardState } from "../state.js";
import { escapeTags, stripTags, textWidth } from "./text.js";

/** How long a message from an action stays in the status bar. */
export const MESSAGE_MS = 8000;

const LEVEL_COLORS = { info: "cyan", warn: "yellow", error: "red" } as const;

/** The status bar: Redis health, the supervisor, a count of sessions by state, the last message, and key hints. */
export function statusLine(state: DashboardState, width: number, hints: string, now: number): string {
  const parts: string[] = [];
  const { redis } = state;
  if (redis.ok) parts.push(`{green-fg}●{/green-fg} redis ${redis.latencyMs === null ? "" : `${Math.max(1, Math.ceil(redis.latencyMs))}ms`}`);
  else parts.push(`{red-fg}●{/red-fg} redis ${escapeTags(redis.error === "not connected" ? "down" : (redis.error ?? "down"))}`);
  if (state.link.status === "up" && state.snapshot) {
    parts.push(state.snapshot.daemon.alive ? "{green-fg}●{/green-fg} supervisor" : "{red-fg}●{/red-fg} supervisor down");
    const counts = new Map<string, number>();
    for (const s of state.snapshot.sessions) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
    parts.push(`${state.snapshot.sessions.length} sessions (${[...counts].map(([k, v]) => `${v} ${k}`).join(", ")})`);
  } else {
    parts.push("{yellow-fg}waiting for the swarm{/yellow-fg}");
  }
  if (state.inboxOpen > 0) parts.push(`{magenta-fg}${state.inboxOpen} waiting for you (i){/magenta-fg}`);
  if (state.filter) parts.push(`filter "${escapeTags(state.filter)}"`);
  const message = state.message && now - state.message.at < MESSAGE_MS ? state.message : null;
  if (message) {
    const color = LEVEL_COLORS[message.level];
    parts.push(`{${color}-fg}${escapeTags(message.text)}{/${color}-fg}`);
  }
  let left = ` ${parts.join(" │ ")}`;
  const leftWidth = textWidth(stripTags(left));
  if (leftWidth > width) left = `${escapeTags(stripTags(left).slice(0, Math.max(0, width - 1)))}…`;
  const room = width - Math.min(leftWidth, width) - 2;
  const tail = room >= 12 ? (hints.length <= room ? hints : `${hints.slice(0, room - 1)}…`) : "";
  const gap = Math.max(1, width - Math.min(leftWidth, width) - tail.length - 1);
  return `${left}${" ".repeat(gap)}{gray-fg}${escapeTags(tail)}{/gray-fg}`;
}

import type { DashboardState } from "../state.js";
import { escapeTags, stripTags, textWidth } from "./text.js";

/** How long a message from an action stays in the status bar. */
export const MESSAGE_MS = 8000;

const LEVEL_COLORS = { info: "cyan", warn: "yellow", error: "red" } as const;

/** One part of the status bar: its full text and, when the bar is narrow, a shorter one (both with blessed tags). */
interface Part {
  readonly text: string;
  readonly short?: string;
  /** Left out while a message needs the room (a healthy sign or a count the panels show too); never a problem or the inbox count. */
  readonly spare?: boolean;
}

/**
 * The status bar: Redis health, the supervisor, a count of sessions by state, the inbox count, the last
 * message, and key hints. When the window is narrow the parts shorten first; if the message still does not
 * fit, the healthy signs and the session count step aside for its 8 s: it says what the key just pressed
 * did, which is what a person looks there for. A problem (Redis down, the supervisor down) and the inbox
 * count always stay.
 */
export function statusLine(state: DashboardState, width: number, hints: string, now: number): string {
  const parts: Part[] = [];
  const { redis } = state;
  if (redis.ok) {
    const latency = redis.latencyMs === null ? "" : `${Math.max(1, Math.ceil(redis.latencyMs))}ms`;
    parts.push({ text: `{green-fg}●{/green-fg} redis ${latency}`, short: "{green-fg}●{/green-fg} redis", spare: true });
  } else parts.push({ text: `{red-fg}●{/red-fg} redis ${escapeTags(redis.error === "not connected" ? "down" : (redis.error ?? "down"))}` });
  if (state.link.status === "up" && state.snapshot) {
    const alive = state.snapshot.daemon.alive;
    parts.push({ text: alive ? "{green-fg}●{/green-fg} supervisor" : "{red-fg}●{/red-fg} supervisor down", spare: alive });
    const counts = new Map<string, number>();
    for (const s of state.snapshot.sessions) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
    const total = `${state.snapshot.sessions.length} sessions`;
    parts.push({ text: `${total} (${[...counts].map(([k, v]) => `${v} ${k}`).join(", ")})`, short: total, spare: true });
  } else {
    parts.push({ text: "{yellow-fg}waiting for the swarm{/yellow-fg}" });
  }
  if (state.inboxOpen > 0) {
    parts.push({ text: `{magenta-fg}${state.inboxOpen} waiting for you (i){/magenta-fg}`, short: `{magenta-fg}${state.inboxOpen} waiting (i){/magenta-fg}` });
  }
  if (state.filter) parts.push({ text: `filter "${escapeTags(state.filter)}"` });
  const message = state.message && now - state.message.at < MESSAGE_MS ? state.message : null;
  const join = (list: readonly string[]) => ` ${list.join(" │ ")}`;
  const plainWidth = (text: string) => textWidth(stripTags(text));
  let fixed = parts.map((part) => part.text);
  let messageText = message ? message.text : null;
  // The line is at most width - 1 wide (the gap before the hints is at least one column).
  const budget = width - 2;
  const fits = () => plainWidth(join(messageText === null ? fixed : [...fixed, messageText])) <= budget;
  if (!fits()) fixed = parts.map((part) => part.short ?? part.text);
  if (!fits() && messageText !== null) fixed = parts.filter((part) => !part.spare).map((part) => part.short ?? part.text);
  if (!fits() && messageText !== null) {
    const room = budget - plainWidth(join(fixed)) - 3;
    messageText = room >= 12 ? `${messageText.slice(0, room - 1)}…` : null;
  }
  const coloured =
    messageText === null || !message ? [] : [`{${LEVEL_COLORS[message.level]}-fg}${escapeTags(messageText)}{/${LEVEL_COLORS[message.level]}-fg}`];
  let left = join([...fixed, ...coloured]);
  const leftWidth = plainWidth(left);
  if (leftWidth > width) left = `${escapeTags(stripTags(left).slice(0, Math.max(0, width - 1)))}…`;
  const room = width - Math.min(leftWidth, width) - 2;
  const tail = room >= 12 ? (hints.length <= room ? hints : `${hints.slice(0, room - 1)}…`) : "";
  const gap = Math.max(1, width - Math.min(leftWidth, width) - tail.length - 1);
  return `${left}${" ".repeat(gap)}{gray-fg}${escapeTags(tail)}{/gray-fg}`;
}

/** Helpers shared by the event-stream parsers: JSON lines, numbers, and spotting rate limits. */

export type JsonObject = Record<string, unknown>;

/** The JSON objects of a JSON-lines text, and the other lines (stderr, banners) apart. */
export function jsonLines(text: string): { events: JsonObject[]; other: string[] } {
  const events: JsonObject[] = [];
  const other: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    const value = parseObject(line);
    if (value) events.push(value);
    else other.push(line);
  }
  return { events, other };
}

export function parseObject(line: string): JsonObject | null {
  if (!line.startsWith("{")) return null;
  try {
    const value: unknown = JSON.parse(line);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Adds b to a, where either may be missing. */
export function sum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : a + b;
}

const LIMIT =
  /rate[ _-]?limit|usage limit|hit your limit|limit reached|quota exceeded|exceeded your current quota|too many requests|resource_exhausted|\b429\b/i;

/** Whether a program's error message is about a rate or usage limit (retry later, not a failure of the task). */
export function isLimitMessage(message: string): boolean {
  return LIMIT.test(message);
}

/** An epoch in seconds or milliseconds as ISO 8601. */
export function epochToIso(value: number): string {
  return new Date(value < 1e12 ? value * 1000 : value).toISOString();
}

/** Text shortened to `max` characters for display. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * What a program says when asked to resume a conversation it no longer has (codex: "no rollout found for
 * thread id …"; gemini: "Invalid session identifier", or "No previous sessions found for this project.").
 */
const LOST_CONVERSATION =
  /no conversation found|no rollout found|no (?:saved |previous )?sessions?\b|session (?:id )?\S* ?not found|invalid session identifier/i;

/** Whether a program's error says the conversation it was asked to continue is gone (the next task starts anew). */
export function isLostConversation(message: string): boolean {
  return LOST_CONVERSATION.test(message);
}

/** The answer stored in a task's record keeps its first and last 64 KB, like the output. */
const ANSWER_EDGE = 64 * 1024;

/** An answer as the record keeps it: whole up to 128 KB, else its two ends around a note saying where the rest is. */
export function clipAnswer(answer: string, wholeIn: string): string {
  if (answer.length <= ANSWER_EDGE * 2) return answer;
  return `${answer.slice(0, ANSWER_EDGE)}\n… [${answer.length - ANSWER_EDGE * 2} characters omitted; the whole ${wholeIn}] …\n${answer.slice(-ANSWER_EDGE)}`;
}

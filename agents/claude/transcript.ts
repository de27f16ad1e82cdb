/**
 * What Claude Code's transcript (`transcript_path`, JSON lines) says about
 * one turn, the one a prompt started (`promptId`): the model's round trips,
 * the tokens they used and the last text it wrote. Each API message may be
 * written as several lines (one per content block) sharing `message.id`;
 * usage is counted once per message. The interactive transcript carries no
 * cost, so interactive results report tokens only.
 */
import { isObject, num, parseObject, str, sum, type JsonObject } from "../events.js";

export interface TurnUsage {
  readonly turns: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  /** The last text the model wrote in the turn ("" if none). */
  readonly lastText: string;
  /** The turn was interrupted (Escape): Claude Code writes a marker entry once it has settled. */
  readonly interrupted: boolean;
}

export function readTurn(transcript: string, promptId: string): TurnUsage {
  const usage = new Map<string, JsonObject>();
  let inTurn = false;
  let lastText = "";
  let interrupted = false;
  for (const line of transcript.split("\n")) {
    const entry = parseObject(line.trim());
    if (!entry) continue;
    if (entry.type === "user" && str(entry.promptId)) inTurn = entry.promptId === promptId;
    if (inTurn && entry.type === "user" && JSON.stringify(entry.message ?? "").includes("[Request interrupted by user")) interrupted = true;
    if (!inTurn || entry.type !== "assistant" || !isObject(entry.message)) continue;
    const message = entry.message;
    const id = str(message.id) ?? str(entry.uuid) ?? String(usage.size);
    if (isObject(message.usage)) usage.set(id, message.usage);
    const content = Array.isArray(message.content) ? message.content.filter(isObject) : [];
    const text = content
      .filter((block) => block.type === "text")
      .map((block) => String(block.text ?? ""))
      .join("");
    if (text.trim() !== "") lastText = text;
  }
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  for (const u of usage.values()) {
    inputTokens = sum(inputTokens, sum(sum(num(u.input_tokens), num(u.cache_creation_input_tokens)), num(u.cache_read_input_tokens)));
    outputTokens = sum(outputTokens, num(u.output_tokens));
  }
  return { turns: usage.size, inputTokens, outputTokens, lastText, interrupted };
}

import { readRegularFile, type LogFn } from "../../../core/index.js";
import { clipAnswer } from "../../events.js";
import type { ResultFields, UsageFields } from "../../transport.js";
import { readTurn } from "../transcript.js";
import type { ClaudeChannel } from "./channel.js";
import type { InteractiveClaude } from "./sessions.js";
import { settledTranscript } from "./transcript-wait.js";

/**
 * What a turn of interactive Claude Code reports beside its status: the
 * answer, its conversation, and the usage figures (tokens, model round trips)
 * from its transcript, which Claude Code writes up to ~120 ms after the Stop
 * hook.
 */
export interface TurnFieldsDeps {
  readonly claude: InteractiveClaude;
  readonly log: LogFn;
}

/** The transcript's last lines land a little after the hook (transcript-wait.ts); this bounds the wait. */
const TRANSCRIPT_WAIT_MS = 1000;

/** A stopped turn's fields now (usage too, if the transcript already shows the turn's end), and its usage later otherwise. */
export function fieldsAtStop(
  deps: TurnFieldsDeps,
  channel: ClaudeChannel,
  promptId: string | undefined,
  lastMessage: string,
): { fields: ResultFields; late?: () => Promise<UsageFields> } {
  const fields: Record<string, string | number> = {};
  if (lastMessage) fields.answer = clipAnswer(lastMessage, "answer is in the transcript");
  if (channel.conversationId) fields.agentSessionId = channel.conversationId;
  const path = transcriptOf(deps, channel);
  if (!path || !promptId) return { fields };
  const settled = (text: string): boolean => readTurn(text, promptId).lastText.trim() === lastMessage.trim();
  const now = readRegularFile(path);
  if (now !== null && settled(now)) return { fields: { ...fields, ...usageOf(readTurn(now, promptId)) } };
  const late = async (): Promise<UsageFields> => {
    const began = Date.now();
    const transcript = await settledTranscript(path, settled, TRANSCRIPT_WAIT_MS);
    deps.log("job.transcript", { session: channel.session.name, waitedMs: Date.now() - began, settled: transcript !== null && settled(transcript) });
    return transcript === null ? {} : usageOf(readTurn(transcript, promptId));
  };
  return { fields, late };
}

/** The transcript's path from the program's hook input: only a file in its own config folder is read. */
function transcriptOf(deps: TurnFieldsDeps, channel: ClaudeChannel): string | null {
  const path = channel.transcriptPath;
  return path && deps.claude.ownsTranscript(channel.session.agent, path) ? path : null;
}

/**
 * Answer, tokens and turns of the prompt's turn, from the transcript, read
 * once it shows how the turn ended: the interrupt, or a failed turn (as it is).
 */
export async function fieldsOf(
  deps: TurnFieldsDeps,
  channel: ClaudeChannel,
  promptId: string | undefined,
  ending: "interrupted" | "failed",
  lastMessage?: string,
): Promise<ResultFields> {
  const fields: Record<string, string | number> = {};
  const settled = (text: string): boolean => ending === "failed" || !promptId || readTurn(text, promptId).interrupted;
  const began = Date.now();
  const path = transcriptOf(deps, channel);
  const transcript = path && promptId ? await settledTranscript(path, settled, TRANSCRIPT_WAIT_MS) : null;
  deps.log("job.transcript", { session: channel.session.name, waitedMs: Date.now() - began, settled: transcript !== null && settled(transcript) });
  const turn = transcript !== null && promptId ? readTurn(transcript, promptId) : null;
  const answer = lastMessage ?? turn?.lastText ?? "";
  if (answer) fields.answer = clipAnswer(answer, "answer is in the transcript");
  if (channel.conversationId) fields.agentSessionId = channel.conversationId;
  return turn ? { ...fields, ...usageOf(turn) } : fields;
}

/** The usage figures of a turn read from the transcript (absent ones left out). */
function usageOf(turn: ReturnType<typeof readTurn>): UsageFields {
  return {
    ...(turn.inputTokens !== undefined ? { inputTokens: turn.inputTokens } : {}),
    ...(turn.outputTokens !== undefined ? { outputTokens: turn.outputTokens } : {}),
    ...(turn.turns > 0 ? { turns: turn.turns } : {}),
  };
}

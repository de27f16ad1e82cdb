/**
 * The LangChain agent's conversations: one JSON file per session id in the
 * agent's own config folder, holding every message so far (tool calls and
 * results included). The program runs once per task; `--resume <id>` loads
 * the file, so a session continues its conversation like `claude --resume`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mapChatMessagesToStoredMessages, mapStoredMessagesToChatMessages, type BaseMessage, type StoredMessage } from "@langchain/core/messages";

const VERSION = 1;
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** The bridge forgets a conversation when the program says this (agents/events.ts isLostConversation). */
export class ConversationNotFound extends Error {
  override readonly name = "ConversationNotFound";
  constructor(id: string) {
    super(`no saved session ${id}: the conversation no longer exists`);
  }
}

export function conversationFile(dir: string, id: string): string {
  if (!SESSION_ID.test(id)) throw new ConversationNotFound(id);
  return join(dir, `${id}.json`);
}

export function loadConversation(dir: string, id: string): BaseMessage[] {
  let text: string;
  try {
    text = readFileSync(conversationFile(dir, id), "utf8");
  } catch {
    throw new ConversationNotFound(id);
  }
  const stored = JSON.parse(text) as { version?: number; messages?: StoredMessage[] };
  if (stored.version !== VERSION || !Array.isArray(stored.messages)) throw new ConversationNotFound(id);
  return mapStoredMessagesToChatMessages(stored.messages);
}

/** Written whole to a temporary file and renamed, so a task killed mid-write leaves the previous turn intact. */
export function saveConversation(dir: string, id: string, messages: readonly BaseMessage[]): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = conversationFile(dir, id);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ version: VERSION, messages: mapChatMessagesToStoredMessages([...messages]) }), { mode: 0o600 });
  renameSync(temporary, file);
}

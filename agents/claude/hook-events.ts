/**
 * The lines our hook script appends (hooks.ts), read back as typed events.
 * Claude Code's hook input is documented JSON; we keep the fields the bridge
 * acts on and ignore the rest, so a newer Claude Code that adds fields
 * changes nothing here.
 */
import { clip, isObject, parseObject, str, type JsonObject } from "../events.js";

export interface ClaudeHookEvent {
  /** The hook (SessionStart, UserPromptSubmit, Stop, …). */
  readonly event: string;
  /** When the hook started, ms since the epoch. */
  readonly at: number;
  readonly conversationId?: string;
  readonly transcriptPath?: string;
  /** Names the turn a prompt started: UserPromptSubmit, Stop and the hooks between carry it. */
  readonly promptId?: string;
  /** UserPromptSubmit: the submitted text, whole (a paste included). */
  readonly prompt?: string;
  /** SessionStart: startup, resume, clear or compact. */
  readonly source?: string;
  /** Notification: what the program tells the user. */
  readonly message?: string;
  /** Notification: permission_prompt, idle_prompt, elicitation_dialog, … */
  readonly notificationType?: string;
  readonly toolName?: string;
  readonly toolInput?: JsonObject;
  /** Stop and StopFailure: the program's last message (on StopFailure, the error as shown). */
  readonly lastMessage?: string;
  /** StopFailure: the error's kind. */
  readonly error?: string;
}

/** Complete lines of a hook file; a malformed line (never expected) is skipped. */
export function parseHookLines(text: string): ClaudeHookEvent[] {
  const events: ClaudeHookEvent[] = [];
  for (const line of text.split("\n")) {
    const event = parseHookLine(line);
    if (event) events.push(event);
  }
  return events;
}

export function parseHookLine(line: string): ClaudeHookEvent | null {
  const outer = parseObject(line.trim());
  if (!outer || typeof outer.event !== "string") return null;
  const input = isObject(outer.input) ? outer.input : {};
  const at = typeof outer.at === "number" ? Math.round(outer.at * 1000) : Date.now();
  return {
    event: outer.event,
    at,
    conversationId: str(input.session_id),
    transcriptPath: str(input.transcript_path),
    promptId: str(input.prompt_id),
    prompt: typeof input.prompt === "string" ? input.prompt : undefined,
    source: str(input.source),
    message: str(input.message),
    notificationType: str(input.notification_type),
    toolName: str(input.tool_name),
    toolInput: isObject(input.tool_input) ? input.tool_input : undefined,
    lastMessage: typeof input.last_assistant_message === "string" ? input.last_assistant_message : undefined,
    error: str(input.error),
  };
}

/**
 * What a hook says the program waits for a person to answer, or null when it
 * asks nothing. PermissionRequest comes at once with the tool and its input;
 * the matching Notification only ~6 s later (measured), and idle reminders
 * ("waiting for your input") are not questions.
 */
export function questionOf(event: ClaudeHookEvent): string | null {
  const asked = event.event === "PermissionRequest" ? askedQuestions(event) : null;
  if (asked !== null && asked.length > 0)
    return clip(asked.map((q) => `${q.question} (${q.options.map((o, i) => `${i + 1}. ${o.label}`).join(" / ")})`).join("; "), 300);
  if (event.event === "PermissionRequest") {
    const detail = toolDetail(event);
    return clip(`permission to use ${event.toolName ?? "a tool"}${detail ? `: ${detail}` : ""}`, 300);
  }
  if (event.event === "Notification" && event.notificationType !== "idle_prompt" && event.notificationType !== "auth_success") {
    return event.message ? clip(event.message, 300) : null;
  }
  return null;
}

/** What a tool call is about, as a person reads it: its command, file, URL or pattern (else its input as JSON; "" for none). */
export function toolDetail(event: ClaudeHookEvent): string {
  const input = event.toolInput ?? {};
  return str(input.command) ?? str(input.file_path) ?? str(input.url) ?? str(input.pattern) ?? (Object.keys(input).length > 0 ? JSON.stringify(input) : "");
}

/** The tool through which Claude Code's model asks the person a question with options. */
export const ASK_TOOL = "AskUserQuestion";

/** One question of an AskUserQuestion call, as the model wrote it. */
export interface AskedQuestion {
  readonly header: string;
  readonly question: string;
  readonly options: readonly { readonly label: string; readonly description: string }[];
  readonly multiSelect: boolean;
}

/**
 * The questions of an AskUserQuestion call, or null for any other hook.
 * Measured on Claude Code 2.1.332: the call raises the PermissionRequest hook
 * (tool_name "AskUserQuestion", tool_input `{questions: [{question, header,
 * options: [{label, description}], multiSelect}]}`) just before its dialog is
 * drawn, and PostToolUse once it is answered; no Notification came in the
 * 1.5 s the dialog was left open.
 */
export function askedQuestions(event: ClaudeHookEvent): AskedQuestion[] | null {
  if (event.toolName !== ASK_TOOL) return null;
  const questions = event.toolInput?.questions;
  if (!Array.isArray(questions)) return [];
  return questions.filter(isObject).map((q) => ({
    header: str(q.header) ?? "",
    question: str(q.question) ?? "",
    options: (Array.isArray(q.options) ? q.options : []).filter(isObject).map((o) => ({ label: str(o.label) ?? "", description: str(o.description) ?? "" })),
    multiSelect: q.multiSelect === true,
  }));
}

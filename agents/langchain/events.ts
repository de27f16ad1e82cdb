/**
 * The event stream of our LangChain agent program (program.ts): one JSON
 * object a line on stdout, teed to the job's events file like every other
 * program's. `start` first, then `assistant` turns, `tool_call` and
 * `tool_result` pairs as they happen, and one closing `result`.
 */

export interface StartEvent {
  readonly type: "start";
  readonly session_id: string;
  readonly model: string;
  readonly cwd: string;
  readonly resumed: boolean;
}

/** The text a model turn wrote (before its tool calls, or the final answer). */
export interface AssistantEvent {
  readonly type: "assistant";
  readonly text: string;
}

export interface ToolCallEvent {
  readonly type: "tool_call";
  readonly id: string;
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
}

export interface ToolResultEvent {
  readonly type: "tool_result";
  readonly id: string;
  readonly name: string;
  readonly ok: boolean;
  /** What the tool answered the model, shortened for the stream. */
  readonly output: string;
  /** Set when the command policy refused the command (nothing ran): the rule. */
  readonly refused?: string;
}

export interface ToolCallSummary {
  readonly name: string;
  readonly ok: boolean;
  /** The command, path or message the call was about. */
  readonly detail: string;
}

export interface ResultEvent {
  readonly type: "result";
  readonly is_error: boolean;
  readonly session_id: string;
  readonly answer: string;
  readonly turns: number;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly tool_calls: readonly ToolCallSummary[];
  readonly duration_ms: number;
  readonly error?: string;
  readonly rate_limited?: boolean;
}

/** What a tool did: `output` is what the model reads. */
export interface ToolOutcome {
  readonly ok: boolean;
  readonly output: string;
  /** The policy rule that refused a command. */
  readonly refused?: string;
}

export type LangchainEvent = StartEvent | AssistantEvent | ToolCallEvent | ToolResultEvent | ResultEvent;

/** The one line of text that sums up a tool call: its command, path or message. */
export function toolDetail(args: Readonly<Record<string, unknown>>): string {
  for (const key of ["command", "path", "message"]) {
    const value = args[key];
    if (typeof value === "string" && value !== "") return value;
  }
  const json = JSON.stringify(args);
  return json === "{}" ? "" : json;
}

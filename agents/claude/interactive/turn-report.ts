/**
 * How a turn of interactive Claude Code settles into its report, once its end
 * is known: completed only with the result file the prompt asked for (a Stop
 * is "turn ended", not "task done"), a StopFailure failed with its message (a
 * rate limit, a lost login), a deny from the inbox failed with the person's
 * reason, an interrupted turn's partial fields, and the tools the turn called
 * for the audit log. Apart from InteractiveTransport, which submits the turn
 * and waits for its end: this part only reads what the turn left behind.
 */
import { readRegularFile, type TaskRecord } from "../../../core/index.js";
import { isLimitMessage } from "../../events.js";
import { toolCall, ToolCallList } from "../../tool-calls.js";
import type { AgentPane, Conversations, ResultFields, TurnReport } from "../../transport.js";
import type { ClaudeHookEvent } from "../hook-events.js";
import { isLoginMessage } from "../screen-state.js";
import type { ClaudeChannel } from "./channel.js";
import type { PromptDenial } from "./prompt-watch.js";
import { fieldsAtStop, fieldsOf, type TurnFieldsDeps } from "./turn-fields.js";

export interface TurnReportDeps extends TurnFieldsDeps {
  readonly conversations: Conversations;
}

/** Hooks after which a tool call was decided: it ran (or failed), or a person or the policy refused it. */
const TOOL_CALL_DECIDED = new Set(["PostToolUse", "PostToolUseFailure", "PermissionDenied"]);

/**
 * The report of a turn its Stop or StopFailure hook ended. Completed only with the result file written;
 * StopFailure (an API error) fails with its message. A Stop is recorded at once, with the hook's last
 * message as the answer: Claude Code writes the turn's last transcript lines (its token counts) up to
 * ~120 ms after the hook, so those figures are added to the record when they land (`late`), instead of
 * holding the result back for them.
 */
export async function endedReport(
  deps: TurnReportDeps,
  record: TaskRecord,
  pane: AgentPane,
  channel: ClaudeChannel,
  end: ClaudeHookEvent,
): Promise<TurnReport> {
  const calls = turnToolCalls(channel, end.promptId);
  return { ...(await reportWithoutCalls(deps, record, pane, channel, end)), ...calls };
}

async function reportWithoutCalls(
  deps: TurnReportDeps,
  record: TaskRecord,
  pane: AgentPane,
  channel: ClaudeChannel,
  end: ClaudeHookEvent,
): Promise<TurnReport> {
  if (end.conversationId) await deps.conversations.set(pane.name, end.conversationId);
  const stopped = end.event === "Stop";
  const { fields, late } = stopped
    ? fieldsAtStop(deps, channel, end.promptId, end.lastMessage ?? "")
    : { fields: await fieldsOf(deps, channel, end.promptId, "failed", end.lastMessage), late: undefined };
  // The turn's hooks are all in (its Stop came last): cut the file back before the result is recorded.
  deps.claude.compact(pane);
  if (isLoginMessage(`${end.lastMessage ?? ""}\n${end.error ?? ""}`)) deps.claude.setState(pane, "needs-login");
  if (!stopped) {
    const message = end.lastMessage ?? end.error ?? "the model's reply failed";
    const limited = end.error === "rate_limit" || isLimitMessage(message);
    return { status: "failed", exitCode: null, reason: limited ? `rate limited: ${message}` : message, fields, rateLimited: limited };
  }
  const resultFile = record.outputFile ?? deps.claude.resultFile(record.agent, record.dispatch ?? "");
  if (readRegularFile(resultFile) === null) {
    const reason = `the agent ended its turn without writing its result file ${resultFile}: the task is not done (its last message is the answer)`;
    return { status: "failed", exitCode: null, reason, fields, late };
  }
  return { status: "completed", exitCode: null, fields, late };
}

/** A person denied the call in the inbox and Claude Code stopped its turn there: the task fails with their reason. */
export async function deniedReport(
  deps: TurnReportDeps,
  pane: AgentPane,
  channel: ClaudeChannel,
  promptId: string | undefined,
  denial: PromptDenial,
): Promise<TurnReport> {
  const fields = await fieldsOf(deps, channel, promptId, "interrupted");
  // The call refused in the inbox has no hook of its own after its PermissionRequest: it is audited from that.
  const calls = turnToolCalls(channel, promptId, true);
  deps.claude.compact(pane);
  const why = denial.reason?.trim() ? `: ${denial.reason.trim()}` : "";
  return {
    status: "failed",
    exitCode: null,
    reason: `${denial.by} denied ${denial.call} in the inbox${why}; Claude Code stopped its turn`,
    fields,
    ...calls,
  };
}

/** What the agent produced so far in a turn cut short (a time limit, a cancel): its last text, tokens, conversation. */
export async function interruptedFields(deps: TurnReportDeps, pane: AgentPane, channel: ClaudeChannel, promptId: string | undefined): Promise<ResultFields> {
  const fields = await fieldsOf(deps, channel, promptId, "interrupted");
  deps.claude.compact(pane);
  return fields;
}

/**
 * The tools the turn called, from its hooks (they carry the turn's prompt id), for the audit log: what a
 * headless program reports in its event stream, an interactive one reports through its hooks. Read before
 * the hook file is cut back; a turn whose prompt id is unknown is left out rather than guessed.
 */
function turnToolCalls(channel: ClaudeChannel, promptId: string | undefined, deniedLast = false): Pick<TurnReport, "toolCalls" | "toolCallsDropped"> {
  if (!promptId) return {};
  const list = new ToolCallList();
  const turn = channel.history.filter((event) => event.promptId === promptId);
  for (const event of turn) if (TOOL_CALL_DECIDED.has(event.event)) list.add(toolCall(event.toolName, event.toolInput));
  const asked = deniedLast ? [...turn].reverse().find((event) => event.event === "PermissionRequest") : undefined;
  if (asked && !turn.some((event) => event.at > asked.at && TOOL_CALL_DECIDED.has(event.event))) list.add(toolCall(asked.toolName, asked.toolInput));
  return list.fields();
}

/**
 * The tool calls a program reported in its event stream (a shell command, a
 * file written, an MCP tool), for the swarm's audit log: which agent ran what,
 * in which task. Each program names its tools its own way; the parsers turn
 * them into one shape. What a call did is in the task's events file; the log
 * keeps the tool and a one-line detail.
 */
import { clip, isObject, str, type JsonObject } from "./events.js";

export interface ToolCall {
  /** The program's own name for the tool: `Bash`, `run_shell_command`, `shell`, `apply_patch`, `server.tool`. */
  readonly tool: string;
  /** The command, the path or the arguments, on one line. */
  readonly detail: string;
}

/** A task's calls kept at most (the rest are counted in `toolCallsDropped`): a runaway loop must not flood the log. */
export const MAX_TOOL_CALLS = 200;
const DETAIL_MAX = 500;

/** A call from a tool's name and its input object, its detail the field that says what it does. */
export function toolCall(name: unknown, input: unknown): ToolCall {
  const args: JsonObject = isObject(input) ? input : {};
  const detail =
    str(args.command) ??
    str(args.file_path) ??
    str(args.absolute_path) ??
    str(args.path) ??
    str(args.pattern) ??
    str(args.url) ??
    (Object.keys(args).length > 0 ? JSON.stringify(args) : "");
  return { tool: clip(str(name) ?? "tool", 100), detail: clip(detail, DETAIL_MAX) };
}

/** Collects a task's calls up to MAX_TOOL_CALLS, counting the ones beyond. */
export class ToolCallList {
  readonly calls: ToolCall[] = [];
  dropped = 0;

  add(call: ToolCall): void {
    if (this.calls.length < MAX_TOOL_CALLS) this.calls.push(call);
    else this.dropped++;
  }

  /** The outcome's fields: nothing when the program called no tool. */
  fields(): { toolCalls?: ToolCall[]; toolCallsDropped?: number } {
    return {
      ...(this.calls.length > 0 ? { toolCalls: this.calls } : {}),
      ...(this.dropped > 0 ? { toolCallsDropped: this.dropped } : {}),
    };
  }
}

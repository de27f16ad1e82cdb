import type { NewInboxItem } from "../inbox/index.js";
import { redactValues } from "../redact.js";

/** What waits on the answer: the task before its dispatch (its text or its gate), or one tool call of the running task. */
export type AskedWhat = "task" | "gate" | "call";

export interface PolicyAskSpec {
  /** The inbox item's id. */
  readonly id: string;
  readonly agent: string;
  readonly taskId: string;
  /** A tool call's own id (the Claude Code hook's request); absent for a held task. */
  readonly call?: string;
  readonly rule: string;
  /** The command as the policy read it, already redacted by the raiser (redacted again here, by shape). */
  readonly command: string;
  readonly what: AskedWhat;
  readonly escalateAfterMs?: number | null;
}

/** `text` on one line of at most `max` characters. */
export function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The approval a policy `ask` opens: the command, the rule that matched, and what each answer does. */
export function policyAskItem(spec: PolicyAskSpec): NewInboxItem {
  const where = spec.what === "call" ? `task ${spec.taskId} (running)` : `task ${spec.taskId}`;
  const subject = spec.what === "gate" ? "its gate runs" : spec.what === "call" ? "its program asks to run" : "it runs";
  const deny = spec.what === "call" ? "refuses the call (the program is told your reason and goes on)" : "fails the task with your reason; nothing runs";
  const approve = spec.what === "call" ? "lets this one call run" : "dispatches the task (it is not asked again)";
  return redactValues({
    id: spec.id,
    kind: "approval" as const,
    title: `policy: agent ${spec.agent} asks to run ${oneLine(spec.command, 70)}`,
    text:
      `Agent ${spec.agent}, ${where}: ${subject} a command that its policy's rule ${spec.rule} sends to a person.\n\n` +
      `    ${spec.command.split("\n").join("\n    ")}\n\n` +
      `approve ${approve}; deny ${deny}.\n` +
      `claude-agent answer ${spec.id} approve|deny [--reason TEXT]`,
    source: { type: "policy" as const, agent: spec.agent, taskId: spec.taskId, ...(spec.call !== undefined && { call: spec.call }) },
    ...(spec.escalateAfterMs !== undefined && { escalateAfterMs: spec.escalateAfterMs }),
  });
}

/** The failure reason of a task a person denied (or the reason a refused call gives the program). */
export function deniedReason(answer: { readonly by: string; readonly reason?: string }, rule: string): string {
  const why = answer.reason?.trim() ? `: ${answer.reason.trim()}` : "";
  return `refused by ${answer.by}${why} (the command needed a person's approval by policy rule ${rule})`;
}

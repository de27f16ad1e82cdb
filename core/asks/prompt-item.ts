import { UsageError } from "../errors.js";
import type { InboxAnswer, InboxItem, InboxStore, NewInboxItem } from "../inbox/index.js";
import type { Ledger } from "../ledger.js";
import { redactValues, type Redactor } from "../redact.js";
import { taskGone } from "./answer.js";
import { oneLine } from "./item.js";

export interface PromptAskSpec {
  /** The inbox item's id. */
  readonly id: string;
  readonly agent: string;
  readonly session: string;
  readonly taskId: string;
  /** The tool the program asks to use (`Bash`), and what with (its command, file or URL). */
  readonly tool: string;
  readonly detail: string;
  /** What the program asks, as its hook told it. */
  readonly question: string;
  /** The last lines of the pane, escape sequences removed. */
  readonly excerpt: string;
  /** What approve and deny press in the dialog, as a person reads it (`1. Yes`). */
  readonly approveOption: string;
  readonly denyOption: string;
}

/**
 * The approval an interactive program's permission prompt opens: what it asks and the pane's last
 * lines, redacted with the swarm's redactor (and by shape, whole fields named like secrets).
 */
export function promptAskItem(spec: PromptAskSpec, redact: Redactor): NewInboxItem {
  const call = spec.detail === "" ? spec.tool : `${spec.tool}(${oneLine(spec.detail, 70)})`;
  const indent = (text: string) => `    ${text.split("\n").join("\n    ")}`;
  return redactValues(
    {
      id: spec.id,
      kind: "approval" as const,
      title: `agent ${spec.agent} asks: ${call}`,
      text:
        `Agent ${spec.agent} (session ${spec.session}, task ${spec.taskId}) waits at a permission prompt: ${spec.question}\n\n` +
        `Its pane shows:\n\n${indent(spec.excerpt)}\n\n` +
        `approve presses "${spec.approveOption}" in the dialog (this call only); deny presses "${spec.denyOption}": ` +
        "the call does not run and Claude Code stops its turn, so the task fails with your reason. A reason is recorded, never typed into the pane.\n" +
        `claude-agent answer ${spec.id} approve|deny [--reason TEXT]`,
      source: { type: "prompt" as const, agent: spec.agent, session: spec.session, taskId: spec.taskId },
    },
    redact,
  );
}

/**
 * Records a person's answer to a permission prompt on its item (once); the
 * session's bridge reads it there and keys it into the dialog. An item whose
 * task has ended meanwhile is withdrawn instead.
 */
export async function answerPromptAsk(deps: { readonly inbox: InboxStore; readonly ledger: Ledger }, item: InboxItem, answer: InboxAnswer): Promise<void> {
  const source = item.source;
  if (source.type !== "prompt") throw new TypeError(`inbox item ${item.id} is not a permission prompt`);
  if (!("decision" in answer)) throw new UsageError(`inbox item ${item.id} takes approve or deny`);
  const gone = await taskGone(deps.ledger, source.taskId);
  if (gone !== null) {
    await deps.inbox.withdraw(item.id, gone);
    throw new UsageError(`inbox item ${item.id} no longer applies: ${gone}`, { context: { item: item.id } });
  }
  await deps.inbox.answer(item.id, answer);
}

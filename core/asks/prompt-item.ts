import { UsageError } from "../errors.js";
import type { GivenAnswer, InboxAnswer, InboxItem, InboxStore, NewInboxItem } from "../inbox/index.js";
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

/** The one field of a question item's answer: the label of the option picked. */
export const PROMPT_CHOICE = "choice";

export interface PromptQuestionSpec {
  /** The inbox item's id. */
  readonly id: string;
  readonly agent: string;
  readonly session: string;
  readonly taskId: string;
  /** The dialog's header (its tab, `Database`) and question, as the program's tool call gave them. */
  readonly header: string;
  readonly question: string;
  /** The model's options, in order: option n is picked by the digit n. */
  readonly options: readonly { readonly label: string; readonly description: string }[];
  /** The last lines of the pane, escape sequences removed. */
  readonly excerpt: string;
}

/**
 * The `input` item an interactive program's question dialog opens (Claude
 * Code's AskUserQuestion): one field, `choice`, whose choices are the
 * options' labels. Only an option can be answered: the bridge presses the
 * option's digit, it never types a person's text into the pane. Redacted like
 * a permission prompt's item.
 */
export function promptQuestionItem(spec: PromptQuestionSpec, redact: Redactor): NewInboxItem {
  const indent = (text: string) => `    ${text.split("\n").join("\n    ")}`;
  const listed = spec.options.map((o, i) => `  ${i + 1}. ${o.label}${o.description === "" ? "" : ` (${oneLine(o.description, 200)})`}`).join("\n");
  return redactValues(
    {
      id: spec.id,
      kind: "input" as const,
      title: `agent ${spec.agent} asks: ${oneLine(spec.question, 90)}`,
      text:
        `Agent ${spec.agent} (session ${spec.session}, task ${spec.taskId}) asks${spec.header === "" ? "" : ` (${oneLine(spec.header, 40)})`}: ${spec.question}\n\n` +
        `${listed}\n\nIts pane shows:\n\n${indent(spec.excerpt)}\n\n` +
        "Answer with an option's number or label: the bridge presses that option's digit in the dialog. " +
        'Free text is not taken (Claude Code\'s own "Type something" option is left to someone attached to the pane).\n' +
        `claude-agent answer ${spec.id} <1-${spec.options.length}|label>`,
      questions: [{ name: PROMPT_CHOICE, prompt: spec.question, choices: spec.options.map((o) => o.label), required: true }],
      source: { type: "prompt" as const, agent: spec.agent, session: spec.session, taskId: spec.taskId },
    },
    redact,
  );
}

/**
 * A question item answered by an option's number (`2`) or its label in any
 * case (`sqlite`): the exact label, which checkAnswer then holds against the
 * choices. Other items' answers pass as they are.
 */
export function promptChoiceAnswer(item: InboxItem, given: GivenAnswer): GivenAnswer {
  const choices = item.kind === "input" && item.source.type === "prompt" ? item.questions[0]?.choices : undefined;
  const word = given.word?.trim() ?? given.values?.[PROMPT_CHOICE]?.trim();
  if (choices === undefined || word === undefined) return given;
  const byNumber = /^\d+$/.test(word) ? choices[Number(word) - 1] : undefined;
  const label = choices.includes(word) ? word : (byNumber ?? choices.find((c) => c.toLowerCase() === word.toLowerCase()) ?? word);
  const { word: _word, ...rest } = given;
  return { ...rest, values: { ...given.values, [PROMPT_CHOICE]: label } };
}

/**
 * Records a person's answer to a permission prompt (approve or deny) or a
 * question (an option) on its item (once); the session's bridge reads it
 * there and keys it into the dialog. An item whose task has ended meanwhile
 * is withdrawn instead.
 */
export async function answerPromptAsk(deps: { readonly inbox: InboxStore; readonly ledger: Ledger }, item: InboxItem, answer: InboxAnswer): Promise<void> {
  const source = item.source;
  if (source.type !== "prompt") throw new TypeError(`inbox item ${item.id} is not a permission prompt`);
  if (item.kind === "approval" && !("decision" in answer)) throw new UsageError(`inbox item ${item.id} takes approve or deny`);
  if (item.kind === "input" && !("values" in answer)) throw new UsageError(`inbox item ${item.id} takes one of its options`);
  const gone = await taskGone(deps.ledger, source.taskId);
  if (gone !== null) {
    await deps.inbox.withdraw(item.id, gone);
    throw new UsageError(`inbox item ${item.id} no longer applies: ${gone}`, { context: { item: item.id } });
  }
  await deps.inbox.answer(item.id, answer);
}

import { readFileSync } from "node:fs";
import { createInterface, type Interface } from "node:readline/promises";
import { localActor, sourceLabel, terminalText, UsageError, type GivenAnswer, type InboxItem, type InboxQuestion } from "../../core/index.js";
import { printJson, type GlobalOptions } from "../context.js";
import { print } from "../output.js";
import { describeItem, withInbox } from "./inbox.js";

export interface AnswerOptions extends GlobalOptions {
  field?: string[];
  jsonFile?: string;
  reason?: string;
  json?: boolean;
}

/**
 * `claude-agent answer ITEM approve|deny|VALUE [--field NAME=VALUE …] [--json-file F]`.
 * With nothing to answer and a terminal on both ends, it shows the item and asks
 * (each question with its default); without a terminal it says what to give.
 */
export async function answer(id: string, value: string | undefined, options: AnswerOptions): Promise<void> {
  await withInbox(options, async (inbox) => {
    const by = `cli:${localActor()}`;
    let given: GivenAnswer = {
      by,
      ...(value !== undefined && { word: value }),
      ...(options.reason !== undefined && { reason: options.reason }),
      values: { ...readJsonFile(options.jsonFile), ...parseFields(options.field ?? []) },
    };
    const empty = value === undefined && Object.keys(given.values ?? {}).length === 0;
    if (empty) {
      const item = await inbox.get(id);
      if (!(process.stdin.isTTY && process.stdout.isTTY)) throw new UsageError(`nothing to answer ${item.id} with`, { hint: describeItem(item).at(-1) ?? "" });
      given = await ask(item, by);
    }
    const item = await inbox.answer(id, given);
    if (options.json) return printJson(item);
    print(answeredLine(item));
  });
}

/** The line that confirms an answer (also printed by the prompt of `workflow run --wait`). */
export function answeredLine(item: InboxItem): string {
  const what =
    item.answer === null
      ? ""
      : "decision" in item.answer
        ? `${item.answer.decision}${item.source.type === "task" && item.answer.reason ? ` (${item.answer.reason})` : ""}`
        : `answers: ${Object.keys(item.answer.values).join(", ")}`;
  return `answered ${item.id} (${terminalText(sourceLabel(item.source))}): ${terminalText(what)}\n`;
}

/** `--field name=value`, repeated; the value is everything after the first `=`. */
export function parseFields(pairs: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--field expects NAME=VALUE, got ${JSON.stringify(pair)}`);
    const name = pair.slice(0, at);
    if (values[name] !== undefined) throw new UsageError(`--field ${name} is given twice`);
    values[name] = pair.slice(at + 1);
  }
  return values;
}

/** A JSON object of answers (`-` for stdin); numbers and booleans become their text. */
function readJsonFile(file: string | undefined): Record<string, string> {
  if (file === undefined) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file === "-" ? 0 : file, "utf8"));
  } catch (cause) {
    throw new UsageError(`--json-file ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new UsageError(`--json-file ${file}: expected an object of answers, e.g. {"app": "nginx"}`);
  const values: Record<string, string> = {};
  for (const [name, v] of Object.entries(raw)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean")
      throw new UsageError(`--json-file ${file}: ${name}: expected text, a number or true/false`);
    values[name] = String(v);
  }
  return values;
}

/** The dialogue on a terminal: the item, then approve/deny, or each question with its default. */
async function ask(item: InboxItem, by: string): Promise<GivenAnswer> {
  print(`${describeItem(item).slice(0, -1).join("\n")}\n\n`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    if (item.kind === "approval") {
      const word = (await rl.question("approve or deny? ")).trim();
      const reason = /^(d|deny|n|no|reject)$/i.test(word) ? (await rl.question("why (optional)? ")).trim() : "";
      return { by, word, ...(reason !== "" && { reason }) };
    }
    return { by, values: await askQuestions(rl, item.questions) };
  } finally {
    rl.close();
  }
}

/**
 * Each question with its choices and default; a value left empty is not given (the default
 * applies when the answer is checked). Shared with the prompt of `workflow run --wait`,
 * whose `signal` withdraws the question when the item is answered elsewhere.
 */
export async function askQuestions(rl: Interface, questions: readonly InboxQuestion[], signal?: AbortSignal): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const q of questions) {
    const hint = [q.choices?.join("/"), q.default !== undefined ? `default ${q.default}` : null].filter(Boolean).join(", ");
    const typed = await rl.question(`${terminalText(q.prompt)}${hint ? ` [${terminalText(hint)}]` : ""}: `, { signal });
    if (typed !== "") values[q.name] = typed;
  }
  return values;
}

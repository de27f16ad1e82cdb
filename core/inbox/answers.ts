import { UsageError } from "../errors.js";
import type { InboxAnswer, InboxItem, InboxQuestion } from "./types.js";

/** One answer value at most this long: answers travel in shell variables and prompts. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** What a person gave, before it is checked against the item. */
export interface GivenAnswer {
  /** approve / deny (approval items), or the value of an input item's only question (or only required one). */
  readonly word?: string;
  /** Values by question name (`--field name=value`, a JSON file, or typed at the prompt). */
  readonly values?: Readonly<Record<string, string>>;
  readonly reason?: string;
  readonly by: string;
}

const APPROVE = new Set(["approve", "approved", "yes", "y"]);
const DENY = new Set(["deny", "denied", "reject", "no", "n"]);

/**
 * Checks what a person gave against what the item asks and returns the answer to
 * record; UsageError lists every problem (an unknown field, a value outside the
 * choices, a value that does not match the pattern, a required value missing).
 */
export function checkAnswer(item: InboxItem, given: GivenAnswer): InboxAnswer {
  if (item.kind === "approval") {
    const word = given.word?.trim().toLowerCase() ?? "";
    if (given.values !== undefined && Object.keys(given.values).length > 0) throw usage(item, ["an approval takes approve or deny, not fields"]);
    if (APPROVE.has(word)) return { decision: "approve", by: given.by, ...(given.reason !== undefined && { reason: given.reason }) };
    if (DENY.has(word)) return { decision: "deny", by: given.by, ...(given.reason !== undefined && { reason: given.reason }) };
    throw usage(item, [`answer approve or deny, got ${JSON.stringify(given.word ?? "")}`]);
  }
  const values: Record<string, string> = { ...(given.values ?? {}) };
  const problems: string[] = [];
  if (given.word !== undefined) {
    // The word answers the only question, or the only required one (a budget's decision; its limits are fields).
    const required = item.questions.filter((q) => q.required);
    const only = item.questions.length === 1 ? item.questions[0] : required.length === 1 ? required[0] : undefined;
    if (only === undefined)
      problems.push(
        `this item asks ${item.questions.length} questions (${item.questions.map((q) => q.name).join(", ")}): give them with --field NAME=VALUE or --json FILE`,
      );
    else if (values[only.name] !== undefined) problems.push(`${only.name} is given twice`);
    else values[only.name] = given.word;
  }
  const known = new Map(item.questions.map((q) => [q.name, q]));
  for (const name of Object.keys(values)) if (!known.has(name)) problems.push(`unknown field "${name}" (this item asks ${[...known.keys()].join(", ")})`);
  const answered: Record<string, string> = {};
  for (const question of item.questions) {
    const value = values[question.name] ?? question.default;
    const problem = valueProblem(question, value);
    if (problem !== null) problems.push(problem);
    else if (value !== undefined) answered[question.name] = value;
  }
  if (problems.length > 0) throw usage(item, problems);
  return { values: answered, by: given.by };
}

/** Why `value` is not an acceptable answer to `question`, or null. */
export function valueProblem(question: InboxQuestion, value: string | undefined): string | null {
  if (value === undefined || value === "") return question.required ? `${question.name}: an answer is required (${question.prompt})` : null;
  if (value.includes("\0")) return `${question.name}: contains a NUL byte`;
  if (Buffer.byteLength(value) > MAX_ANSWER_BYTES) return `${question.name}: longer than ${MAX_ANSWER_BYTES} bytes`;
  if (question.choices !== undefined && !question.choices.includes(value))
    return `${question.name}: expected one of ${question.choices.join(", ")}, got ${JSON.stringify(value)}`;
  if (question.pattern !== undefined && !new RegExp(`^(?:${question.pattern})$`, "u").test(value))
    return `${question.name}: ${JSON.stringify(value)} does not match ${question.pattern}`;
  return null;
}

function usage(item: InboxItem, problems: readonly string[]): UsageError {
  return new UsageError(`cannot answer ${item.id}: ${problems.join("; ")}`, { context: { item: item.id } });
}

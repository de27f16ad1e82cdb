import { ConfigError } from "../core/index.js";

/**
 * A step's `when`: `A == B`, `A != B`, or a single value that is true unless it is
 * empty, "false" or "0". Operands may be quoted ('dev' or "dev"); unquoted ones are
 * trimmed. The condition is split into operands BEFORE templates are rendered, so a
 * param value that happens to contain `==` or a quote cannot change its meaning.
 */
export type Condition =
  | { readonly kind: "compare"; readonly op: "==" | "!="; readonly left: Operand; readonly right: Operand }
  | { readonly kind: "truthy"; readonly value: Operand };

export interface Operand {
  /** The operand's template text, quotes removed. */
  readonly text: string;
  readonly quoted: boolean;
}

const TAG = /\{\{[^{}]*\}\}/g;
const UNSUPPORTED = /&&|\|\||[<>]|(?<![=!])=(?!=)/;

/** Blanks out template tags and quoted text (keeping UTF-16 offsets) so operators inside them are not seen. */
function mask(text: string): string | { problem: string } {
  const blank = text.replace(TAG, (tag) => "_".repeat(tag.length));
  let quote: string | null = null;
  let out = "";
  for (let i = 0; i < blank.length; i++) {
    const ch = blank[i] ?? "";
    if (quote === null) {
      if (ch === "'" || ch === '"') quote = ch;
      out += ch;
    } else if (ch === quote) {
      quote = null;
      out += ch;
    } else {
      out += "_";
    }
  }
  return quote === null ? out : { problem: `unterminated ${quote} quote` };
}

function operand(raw: string, side: string): Operand | { problem: string } {
  const text = raw.trim();
  if (text === "" && side !== "value") return { problem: `missing ${side} operand` };
  const first = text[0];
  if (first === "'" || first === '"') {
    if (text.length < 2 || !text.endsWith(first) || text.slice(1, -1).replace(TAG, "").includes(first)) {
      return { problem: `unexpected text around the quoted ${side} operand ${text}` };
    }
    return { text: text.slice(1, -1), quoted: true };
  }
  return { text, quoted: false };
}

function scan(text: string): Condition | { problem: string } {
  const masked = mask(text);
  if (typeof masked !== "string") return masked;
  const ops = [...masked.matchAll(/==|!=/g)];
  const rest = masked.replace(/==|!=/g, "  ");
  const bad = UNSUPPORTED.exec(rest);
  if (bad) return { problem: `unsupported operator "${bad[0]}" (only A == B, A != B, or a single value)` };
  if (ops.length > 1) return { problem: "more than one comparison (only A == B or A != B)" };
  const op = ops[0];
  if (op === undefined) {
    const value = operand(text, "value");
    return "problem" in value ? value : { kind: "truthy", value };
  }
  const at = op.index ?? 0;
  const left = operand(text.slice(0, at), "left");
  if ("problem" in left) return left;
  const right = operand(text.slice(at + 2), "right");
  if ("problem" in right) return right;
  return { kind: "compare", op: op[0] === "==" ? "==" : "!=", left, right };
}

/** The problem with a `when`, for parse-time validation; null when it is well formed. */
export function checkCondition(text: string): string | null {
  const result = scan(text);
  return "problem" in result ? result.problem : null;
}

/** Throws ConfigError when malformed. */
export function parseCondition(text: string): Condition {
  const result = scan(text);
  if ("problem" in result) throw new ConfigError([`when "${text}": ${result.problem}`]);
  return result;
}

function isTrue(value: string): boolean {
  const v = value.trim().toLowerCase();
  return v !== "" && v !== "false" && v !== "0";
}

/** `render` turns an operand's template text into its value (identity for already-rendered text). */
export function evaluateCondition(condition: Condition, render: (text: string) => string = (t) => t): boolean {
  const value = (o: Operand): string => (o.quoted ? render(o.text) : render(o.text).trim());
  if (condition.kind === "truthy") return isTrue(value(condition.value));
  const equal = value(condition.left) === value(condition.right);
  return condition.op === "==" ? equal : !equal;
}

/** Evaluates an already-rendered `when`. */
export function evaluateWhen(text: string): boolean {
  return evaluateCondition(parseCondition(text));
}

import type { Slot, SlotContext } from "./model.js";

/** The kinds of context the scanner nests, outermost first (`cmd` is a command's words, `hd` an unquoted heredoc body). */
export type FrameKind = "cmd" | "dq" | "sq" | "ansi" | "bq" | "hd" | "param" | "arith";

const EVALUATED: Record<"bq" | "param" | "arith", string> = {
  bq: "is inside backquotes, whose text bash parses again: use $(…) instead",
  param: "is inside a ${…} expansion, where bash may evaluate it as arithmetic (offsets, array subscripts): assign it to a variable first",
  arith: "is inside an arithmetic expression, which evaluates it (a value like a[$(cmd)] runs cmd): check that it is a number first, e.g. [[ $n =~ ^[0-9]+$ ]]",
};

/**
 * The slot of the tag at `start…end` read inside `stack` (outermost first):
 * its quoting context from the innermost frame, and why it is unsafe if a
 * backslash precedes it (`escaped`) or any enclosing frame evaluates text.
 */
export function tagSlot(src: string, start: number, end: number, stack: readonly { readonly t: FrameKind }[], escaped: boolean): Slot {
  const raw = src.slice(start, end);
  const top = stack[stack.length - 1]?.t;
  const context: SlotContext = top === "sq" ? "single" : top === "ansi" ? "ansi" : top === "dq" || top === "hd" ? "double" : "unquoted";
  const slot: Slot = { start, end, raw, context, unsafe: null };
  if (escaped) slot.unsafe = `${raw} follows a backslash, which would apply to its reference's quote: remove the backslash`;
  // Conservative: anything under one of these frames, even inside a nested $(…), may reach an evaluation.
  const evaluated = stack.find((f): f is { t: "bq" | "param" | "arith" } => f.t === "bq" || f.t === "param" || f.t === "arith");
  if (evaluated !== undefined) slot.unsafe ??= `${raw} ${EVALUATED[evaluated.t]}`;
  return slot;
}

/** The slots of the tags in a comment that runs from `from` to `end`: never read by bash, so never unsafe. */
export function commentSlots(src: string, tags: ReadonlyMap<number, number>, from: number, end: number): Slot[] {
  const slots: Slot[] = [];
  for (const [start, tagEnd] of tags) {
    if (start >= from && tagEnd <= end) slots.push({ start, end: tagEnd, raw: src.slice(start, tagEnd), context: "comment", unsafe: null });
  }
  return slots;
}

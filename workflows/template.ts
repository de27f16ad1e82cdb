import { ConfigError } from "../core/index.js";

/**
 * `{{params.NAME}}`, `{{steps.ID.output}}` and `{{steps.ID.exitCode}}`, with optional
 * spaces inside the braces. Nothing else: no expressions, no filters, no escapes.
 */
export type TemplateRef =
  | { readonly kind: "param"; readonly name: string; readonly raw: string }
  | { readonly kind: "step"; readonly step: string; readonly field: "output" | "exitCode"; readonly raw: string }
  | { readonly kind: "invalid"; readonly raw: string };

export interface StepValues {
  readonly output: string;
  readonly exitCode: number | null;
}

export interface TemplateContext {
  readonly params: Readonly<Record<string, string>>;
  readonly steps: Readonly<Record<string, StepValues>>;
}

const TAG = /\{\{([^{}]*)\}\}/g;
const PARAM = /^params\.([A-Za-z_][A-Za-z0-9_-]*)$/;
const STEP = /^steps\.([A-Za-z0-9][A-Za-z0-9_-]*)\.(output|exitCode)$/;

function classify(raw: string): TemplateRef {
  const expr = raw.slice(2, -2).trim();
  const param = PARAM.exec(expr);
  if (param) return { kind: "param", name: param[1] ?? "", raw };
  const step = STEP.exec(expr);
  if (step) return { kind: "step", step: step[1] ?? "", field: step[2] === "output" ? "output" : "exitCode", raw };
  return { kind: "invalid", raw };
}

/** Every reference in `text`, in order; a `{{` that opens no valid tag is reported as an invalid ref. */
export function templateRefs(text: string): TemplateRef[] {
  const refs = [...text.matchAll(TAG)].map((match) => classify(match[0]));
  const rest = text.replace(TAG, "");
  const stray = rest.indexOf("{{");
  if (stray >= 0) refs.push({ kind: "invalid", raw: rest.slice(stray, stray + 20) });
  return refs;
}

/** Describes what is wrong with a ref, or null when it is well formed. */
export function describeInvalidRef(ref: TemplateRef): string | null {
  if (ref.kind !== "invalid") return null;
  return ref.raw.endsWith("}}")
    ? `invalid template reference ${ref.raw} (expected {{params.NAME}}, {{steps.ID.output}} or {{steps.ID.exitCode}})`
    : `unclosed template reference starting at "${ref.raw}"`;
}

/**
 * `text` without its trailing newlines, in linear time: the regex /\n+$/ backtracks from
 * every newline of a run, so an output of 50,000 newlines and one letter (what any task
 * can print) took 28 s of the daemon's event loop, and twice that at 100,000.
 */
export function withoutTrailingNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 10) end--;
  return text.slice(0, end);
}

/**
 * Trailing newlines of a step's output are dropped, as shell command substitution does,
 * so `v{{steps.version.output}}` gives `v1.2.3` and not `v1.2.3\n`.
 */
function valueOf(ref: TemplateRef, ctx: TemplateContext): string {
  if (ref.kind === "param") {
    const value = ctx.params[ref.name];
    if (value === undefined) throw new ConfigError([`unknown param in template ${ref.raw}`]);
    return value;
  }
  if (ref.kind === "step") {
    const step = ctx.steps[ref.step];
    if (step === undefined) throw new ConfigError([`step "${ref.step}" in template ${ref.raw} has no result to use`]);
    if (ref.field === "exitCode") return step.exitCode === null ? "" : String(step.exitCode);
    return withoutTrailingNewlines(step.output);
  }
  throw new ConfigError([describeInvalidRef(ref) ?? `invalid template reference ${ref.raw}`]);
}

/** Renders `text`; any reference the context cannot answer throws ConfigError. */
export function renderTemplate(text: string, ctx: TemplateContext): string {
  for (const ref of templateRefs(text)) {
    if (ref.kind === "invalid") throw new ConfigError([describeInvalidRef(ref) ?? ref.raw]);
  }
  return text.replace(TAG, (raw) => valueOf(classify(raw), ctx));
}

import { ConfigError } from "../core/index.js";

/**
 * `{{params.NAME}}`, `{{steps.ID.output}}`, `{{steps.ID.exitCode}}`,
 * `{{steps.ID.answers.NAME}}` (an input step's answer) and `{{steps.ID.json.PATH}}`
 * (a field of a step's output_schema-checked JSON: keys and array indexes joined by
 * dots; `{{steps.ID.json}}` is the whole document), with optional spaces inside the
 * braces. Nothing else: no expressions, no filters, no escapes.
 */
export type StepField = "output" | "exitCode" | "answers" | "json";

export type TemplateRef =
  | { readonly kind: "param"; readonly name: string; readonly raw: string }
  | {
      readonly kind: "step";
      readonly step: string;
      readonly field: StepField;
      /** The answer's name, or the JSON path (`hosts.0.name`; "" for the whole document); "" for output and exitCode. */
      readonly key: string;
      readonly raw: string;
    }
  | { readonly kind: "invalid"; readonly raw: string };

export interface StepValues {
  readonly output: string;
  readonly exitCode: number | null;
  /** An input step's answers, by question name. */
  readonly answers?: Readonly<Record<string, string>> | null;
  /** A step's output as the JSON its output_schema accepted; undefined when it has none. */
  readonly json?: unknown;
}

export interface TemplateContext {
  readonly params: Readonly<Record<string, string>>;
  readonly steps: Readonly<Record<string, StepValues>>;
}

const TAG = /\{\{([^{}]*)\}\}/g;
const PARAM = /^params\.([A-Za-z_][A-Za-z0-9_-]*)$/;
const STEP = /^steps\.([A-Za-z0-9][A-Za-z0-9_-]*)\.(output|exitCode)$/;
const ANSWER = /^steps\.([A-Za-z0-9][A-Za-z0-9_-]*)\.answers\.([A-Za-z_][A-Za-z0-9_-]*)$/;
const JSON_PATH = /^steps\.([A-Za-z0-9][A-Za-z0-9_-]*)\.json((?:\.[A-Za-z0-9_-]+)*)$/;

function classify(raw: string): TemplateRef {
  const expr = raw.slice(2, -2).trim();
  const param = PARAM.exec(expr);
  if (param) return { kind: "param", name: param[1] ?? "", raw };
  const step = STEP.exec(expr);
  if (step) return { kind: "step", step: step[1] ?? "", field: step[2] === "output" ? "output" : "exitCode", key: "", raw };
  const answer = ANSWER.exec(expr);
  if (answer) return { kind: "step", step: answer[1] ?? "", field: "answers", key: answer[2] ?? "", raw };
  const json = JSON_PATH.exec(expr);
  if (json) return { kind: "step", step: json[1] ?? "", field: "json", key: (json[2] ?? "").slice(1), raw };
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
    ? `invalid template reference ${ref.raw} (expected {{params.NAME}}, {{steps.ID.output}}, {{steps.ID.exitCode}}, {{steps.ID.answers.NAME}} or {{steps.ID.json.PATH}})`
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

/** The value at `path` (dot-separated keys and indexes) of a JSON document, or undefined. */
export function jsonAt(document: unknown, path: string): unknown {
  let value = document;
  for (const key of path === "" ? [] : path.split(".")) {
    if (Array.isArray(value) && /^\d+$/.test(key)) value = value[Number(key)];
    else if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.hasOwn(value, key)) value = (value as Record<string, unknown>)[key];
    else return undefined;
  }
  return value;
}

/**
 * The text a reference stands for. Trailing newlines of an output are dropped, as
 * shell command substitution does (`v{{steps.version.output}}` gives `v1.2.3`);
 * a JSON string is its text, a number or boolean as JSON writes it, null is
 * empty, an object or array its compact JSON. Throws ConfigError for a value the
 * context does not have (a missing field is an error, never an empty string).
 */
export function refValue(ref: TemplateRef, ctx: TemplateContext): string {
  if (ref.kind === "param") {
    const value = ctx.params[ref.name];
    if (value === undefined) throw new ConfigError([`unknown param in template ${ref.raw}`]);
    return value;
  }
  if (ref.kind !== "step") throw new ConfigError([describeInvalidRef(ref) ?? `invalid template reference ${ref.raw}`]);
  const step = ctx.steps[ref.step];
  if (step === undefined) throw new ConfigError([`step "${ref.step}" in template ${ref.raw} has no result to use`]);
  if (ref.field === "exitCode") return step.exitCode === null ? "" : String(step.exitCode);
  if (ref.field === "output") return withoutTrailingNewlines(step.output);
  if (ref.field === "answers") {
    const answer = step.answers?.[ref.key];
    if (answer === undefined) throw new ConfigError([`${ref.raw}: step "${ref.step}" has no answer "${ref.key}"`]);
    return answer;
  }
  if (step.json === undefined) throw new ConfigError([`${ref.raw}: step "${ref.step}" has no JSON output (it needs output_schema)`]);
  const value = jsonAt(step.json, ref.key);
  if (value === undefined) throw new ConfigError([`${ref.raw}: the output of step "${ref.step}" has no field ${ref.key}`]);
  if (value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Renders `text`; any reference the context cannot answer throws ConfigError. */
export function renderTemplate(text: string, ctx: TemplateContext): string {
  for (const ref of templateRefs(text)) {
    if (ref.kind === "invalid") throw new ConfigError([describeInvalidRef(ref) ?? ref.raw]);
  }
  return text.replace(TAG, (raw) => refValue(classify(raw), ctx));
}

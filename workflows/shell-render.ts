import { ConfigError } from "../core/index.js";
import type { Edit, Slot, SlotContext } from "./shell/model.js";
import { assessRisks } from "./shell/risks.js";
import { scanShell } from "./shell/scan.js";
import { describeInvalidRef, refValue, templateRefs, type TemplateContext, type TemplateRef } from "./template.js";

/**
 * Rendering for a step that runs on a shell agent: every `{{…}}` becomes a
 * reference to an environment variable of the task (`"${CA_PARAM_ENV?}"`),
 * quoted for where it sits, and the values travel beside the script, never in
 * it. So no value can change which commands the script runs: bash expands a
 * variable into data, never into code. `?` makes bash stop with "parameter
 * not set" if a variable did not arrive, rather than run with an
 * empty value (`rm -rf "${CA_PARAM_DIR?}/"*`).
 */
export interface ShellRendering {
  readonly text: string;
  readonly env: Readonly<Record<string, string>>;
}

/** An exported variable must fit one execve string (MAX_ARG_STRLEN, 128 KiB, with its name, '=' and NUL). */
export const MAX_ENV_STRING = 131_072;
/** All of a task's variables together: a share of execve's 2 MiB (ARG_MAX here) that leaves room for the agent's own environment. */
export const MAX_ENV_TOTAL = 1024 * 1024;

/**
 * `CA_PARAM_<NAME>`, `CA_STEP_<ID>_OUTPUT`, `CA_STEP_<ID>_EXITCODE`, `CA_STEP_<ID>_ANSWER_<NAME>`,
 * `CA_STEP_<ID>_JSON[_<PATH>]` (the path's dots as `_`): upper case, `-` as `_`. Two references
 * that would share a name are refused (rules.ts at validation, renderShell at run time).
 */
export function envName(ref: TemplateRef): string {
  const upper = (s: string): string => s.toUpperCase().replace(/[-.]/g, "_");
  if (ref.kind === "param") return `CA_PARAM_${upper(ref.name)}`;
  if (ref.kind === "step") {
    const base = `CA_STEP_${upper(ref.step)}`;
    if (ref.field === "answers") return `${base}_ANSWER_${upper(ref.key)}`;
    if (ref.field === "json") return ref.key === "" ? `${base}_JSON` : `${base}_JSON_${upper(ref.key)}`;
    return `${base}_${ref.field === "output" ? "OUTPUT" : "EXITCODE"}`;
  }
  throw new ConfigError([describeInvalidRef(ref) ?? `invalid template reference ${ref.raw}`]);
}

const REFERENCE: Record<SlotContext, (name: string) => string> = {
  unquoted: (name) => `"\${${name}?}"`,
  double: (name) => `\${${name}?}`,
  comment: (name) => `\${${name}?}`,
  "heredoc-quoted": (name) => `\${${name}?}`,
  single: (name) => `'"\${${name}?}"'`,
  ansi: (name) => `'"\${${name}?}"$'`,
};

/** Where the script's text gives a value to something that would run it; empty when every tag is safe. */
export function shellProblems(text: string): string[] {
  return analyse(text)
    .slots.filter((s) => s.unsafe !== null)
    .map((s) => s.unsafe ?? "");
}

function analyse(text: string): { slots: Slot[]; edits: readonly Edit[] } {
  const scan = scanShell(text);
  assessRisks(text, scan);
  const slots = [...scan.slots];
  const placed = new Set(slots.map((s) => s.start));
  for (const m of text.matchAll(/\{\{[^{}]*\}\}/g)) {
    // Defensive: a tag the scanner did not place is refused rather than guessed at.
    if (!placed.has(m.index))
      slots.push({ start: m.index, end: m.index + m[0].length, raw: m[0], context: "unquoted", unsafe: `${m[0]} is where its context could not be read` });
  }
  return { slots, edits: scan.edits };
}

/**
 * Renders `text` for a shell agent. Throws ConfigError for refs the context cannot
 * answer, for a construct that would run a value (see shell/risks.ts), and for
 * values too large to pass in the environment.
 */
export function renderShell(text: string, ctx: TemplateContext): ShellRendering {
  for (const ref of templateRefs(text)) {
    const invalid = describeInvalidRef(ref);
    if (invalid !== null) throw new ConfigError([invalid]);
  }
  const { slots, edits: rewrites } = analyse(text);
  const unsafe = slots.filter((s) => s.unsafe !== null).map((s) => s.unsafe ?? "");
  if (unsafe.length > 0) throw new ConfigError(unsafe.map((why) => `refused for a shell agent: ${why}`));
  const owner = new Map<string, string>();
  for (const slot of slots) {
    const ref = templateRefs(slot.raw)[0];
    if (ref === undefined) continue;
    const name = envName(ref);
    const canonical = slot.raw.replace(/\s+/g, "");
    const other = owner.get(name);
    if (other !== undefined && other !== canonical) throw new ConfigError([`${other} and ${canonical} would both be ${name} in a shell step`]);
    owner.set(name, canonical);
  }
  const env: Record<string, string> = {};
  const edits = [...rewrites];
  for (const slot of slots) {
    const ref = templateRefs(slot.raw)[0];
    if (ref === undefined) continue;
    const name = envName(ref);
    env[name] = envValue(ref, ctx);
    edits.push({ start: slot.start, end: slot.end, text: REFERENCE[slot.context](name) });
  }
  checkSize(env);
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let at = 0;
  for (const edit of edits) {
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return { text: out + text.slice(at), env };
}

/**
 * A value as a variable carries it: trailing newlines of an output dropped (as `$(…)` does, and as the
 * text rendering does), NUL bytes dropped (as `$(…)` does: no environment string can hold one).
 */
function envValue(ref: TemplateRef, ctx: TemplateContext): string {
  return refValue(ref, ctx).replaceAll("\0", "");
}

function checkSize(env: Readonly<Record<string, string>>): void {
  let total = 0;
  for (const [name, value] of Object.entries(env)) {
    const bytes = Buffer.byteLength(name) + 2 + Buffer.byteLength(value);
    total += bytes;
    if (bytes > MAX_ENV_STRING) {
      throw new ConfigError([
        `${name} is ${Buffer.byteLength(value)} bytes, more than one environment variable can carry (${MAX_ENV_STRING - Buffer.byteLength(name) - 2})`,
      ]);
    }
  }
  if (total > MAX_ENV_TOTAL)
    throw new ConfigError([`the values this step uses come to ${total} bytes, more than the ${MAX_ENV_TOTAL} a task's environment may carry`]);
}

import { dirname, resolve } from "node:path";
import type { ZodIssue } from "zod";
import { durationMs, LABEL, LABEL_EXPECTED, normalizeRunBudget } from "../core/index.js";
import { loadOutputSchema } from "./output-schema.js";
import type { InputQuestion, OutputSchema, ParamSpec, RollbackSpec, Step, Target, Workflow } from "./types.js";
import { PARAM_NAME, formatIssues, joinPath, paramSchema, stepSchema, workflowSchema, type RawQuestion, type RawStep } from "./schema.js";

/** A normalized step and where it sits in the file, for messages (`steps.3`). */
export interface LocatedStep {
  readonly step: Step;
  readonly path: string;
}

export interface Normalized {
  readonly workflow: Workflow;
  readonly located: readonly LocatedStep[];
  /** Ids of every step that has one, valid or not, so references to a malformed step are not "unknown". */
  readonly ids: ReadonlySet<string>;
  /** Problems as `path: message`, without the file name. */
  readonly problems: readonly string[];
}

const TASK_ONLY = ["agent", "route", "needs", "task", "timeout", "retries", "gate", "rollback", "output_schema", "schema_retries"] as const;
/** Follow-up prompts after an output fails its schema, unless the step says. */
export const DEFAULT_SCHEMA_RETRIES = 2;

function target(raw: { readonly agent?: string; readonly route?: string }, path: string, problems: string[]): Target {
  if (raw.agent !== undefined && raw.route !== undefined) {
    problems.push(`${joinPath(path, "route")}: give agent or route, not both`);
  }
  return raw.agent !== undefined ? { agent: raw.agent } : raw.route !== undefined ? { route: raw.route } : {};
}

/** `needs:` of a step: a label or a list of them, each checked; repeats dropped. */
function needsOf(raw: RawStep, path: string, problems: string[]): { needs?: readonly string[] } {
  if (raw.needs === undefined) return {};
  const list = typeof raw.needs === "string" ? [raw.needs] : raw.needs;
  if (list.length === 0) problems.push(`${joinPath(path, "needs")}: list at least one label (or leave needs out)`);
  list.forEach((label, i) => {
    if (!LABEL.test(label))
      problems.push(`${joinPath(path, "needs", typeof raw.needs === "string" ? "" : i)}: expected ${LABEL_EXPECTED}, got ${JSON.stringify(label)}`);
  });
  // A malformed label is reported here, not again by the labels rule.
  const valid = list.filter((label) => LABEL.test(label));
  return valid.length > 0 ? { needs: [...new Set(valid)] } : {};
}

function escalation(raw: RawStep, path: string, problems: string[]): { escalateAfterMs?: number } {
  if (raw.escalate_after === undefined) return {};
  const ms = durationMs(raw.escalate_after);
  if (ms === null) problems.push(`${joinPath(path, "escalate_after")}: expected a duration like 30m, 2h or 45s, got ${JSON.stringify(raw.escalate_after)}`);
  return ms === null ? {} : { escalateAfterMs: ms };
}

function normalizeQuestion(raw: RawQuestion, path: string, problems: string[]): InputQuestion {
  const choices = raw.choices?.map(String);
  if (raw.pattern !== undefined) {
    try {
      new RegExp(raw.pattern, "u");
    } catch (error) {
      problems.push(`${joinPath(path, "pattern")}: not a regular expression (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (raw.default !== undefined && choices !== undefined && !choices.includes(raw.default)) {
    problems.push(`${joinPath(path, "default")}: "${raw.default}" is not one of the choices`);
  }
  return {
    name: raw.name,
    prompt: raw.prompt,
    required: raw.required ?? true,
    ...(raw.default !== undefined && { default: raw.default }),
    ...(choices !== undefined && { choices }),
    ...(raw.pattern !== undefined && { pattern: raw.pattern }),
  };
}

function notOn(raw: RawStep, kind: string, path: string, problems: string[], fields: readonly (keyof RawStep)[]): void {
  for (const field of fields) if (raw[field] !== undefined) problems.push(`${joinPath(path, field)}: not allowed on an ${kind} step`);
}

function normalizeStep(raw: RawStep, path: string, problems: string[], baseDir: string): Step | null {
  const dependsOn = raw.depends_on === undefined ? [] : typeof raw.depends_on === "string" ? [raw.depends_on] : raw.depends_on;
  const base = { id: raw.id, dependsOn, onFailure: raw.on_failure ?? "fail", ...(raw.when !== undefined && { when: raw.when }) };
  // Steps come back even when they have problems, so the rules can check the rest of them;
  // parse.ts throws before such a step could reach the engine.
  if (raw.approval !== undefined) {
    notOn(raw, "approval", path, problems, [...TASK_ONLY, "input"]);
    return { ...base, kind: "approval", approval: raw.approval, ...escalation(raw, path, problems) };
  }
  if (raw.input !== undefined) {
    notOn(raw, "input", path, problems, TASK_ONLY);
    const seen = new Set<string>();
    const questions = raw.input.questions.map((q, i) => {
      const where = joinPath(path, "input.questions", i);
      if (seen.has(q.name)) problems.push(`${joinPath(where, "name")}: "${q.name}" is asked twice`);
      seen.add(q.name);
      return normalizeQuestion(q, where, problems);
    });
    return { ...base, kind: "input", text: raw.input.text ?? "", questions, ...escalation(raw, path, problems) };
  }
  if (raw.escalate_after !== undefined) problems.push(`${joinPath(path, "escalate_after")}: only approval and input steps wait for a person`);
  if (raw.agent === undefined && raw.route === undefined && raw.needs === undefined) {
    problems.push(`${path}: needs one of agent, route, needs, approval or input`);
  }
  let outputSchema: OutputSchema | undefined;
  if (raw.output_schema !== undefined) {
    const loaded = loadOutputSchema(raw.output_schema, baseDir);
    if ("problem" in loaded) problems.push(`${joinPath(path, "output_schema")}: ${loaded.problem}`);
    else outputSchema = loaded.schema;
  }
  if (raw.schema_retries !== undefined && raw.output_schema === undefined) problems.push(`${joinPath(path, "schema_retries")}: only used with output_schema`);
  if (raw.task === undefined) problems.push(`${joinPath(path, "task")}: required`);
  const where = { ...target(raw, path, problems), ...needsOf(raw, path, problems) };
  let rollback: RollbackSpec | undefined;
  if (raw.rollback !== undefined) {
    // Without its own agent or route, a rollback runs where the step ran (see engine).
    rollback = { ...target(raw.rollback, joinPath(path, "rollback"), problems), task: raw.rollback.task };
  }
  if (raw.task === undefined) return null;
  return {
    ...base,
    kind: "task",
    ...where,
    task: raw.task,
    retries: raw.retries ?? 0,
    ...(raw.timeout !== undefined && { timeoutSec: raw.timeout }),
    ...(raw.gate !== undefined && { gate: raw.gate }),
    ...(rollback !== undefined && { rollback }),
    ...(outputSchema !== undefined && { outputSchema }),
    schemaRetries: raw.schema_retries ?? DEFAULT_SCHEMA_RETRIES,
  };
}

function normalizeParams(raw: Record<string, unknown>, problems: string[]): ParamSpec[] {
  const params: ParamSpec[] = [];
  for (const [name, value] of Object.entries(raw)) {
    const path = joinPath("params", name);
    if (!PARAM_NAME.test(name)) problems.push(`${path}: invalid param name (letters, digits, '_' or '-')`);
    const parsed = paramSchema.safeParse(value ?? {});
    if (!parsed.success) {
      problems.push(...formatIssues(parsed.error, path));
      continue;
    }
    const spec = typeof parsed.data === "string" ? { default: parsed.data } : parsed.data;
    if (spec.required === true && spec.default !== undefined) {
      problems.push(`${path}: a required param cannot have a default`);
    }
    params.push({
      name,
      required: spec.required === true,
      ...(spec.default !== undefined && { default: spec.default }),
      ...(spec.description !== undefined && { description: spec.description }),
    });
  }
  return params;
}

function salvage(raw: unknown, issues: readonly ZodIssue[]): RawStep | null {
  if (!isRecord(raw)) return null;
  const copy = { ...raw };
  for (const issue of issues) {
    const keys = issue.code === "unrecognized_keys" && issue.path.length === 0 ? issue.keys : [issue.path[0]];
    for (const key of keys) if (key !== undefined) delete copy[key];
  }
  const again = stepSchema.safeParse(copy);
  return again.success ? again.data : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Shape checks and normalization; cross-field rules come after, in rules.ts. The
 * workflow is built from whatever is usable even when there are problems, so the
 * rules can still report theirs and the user sees everything in one go.
 */
export function normalize(raw: unknown, source: string): Normalized {
  const problems: string[] = [];
  // Files a workflow names (output_schema) are relative to it; an inline workflow's to the current folder.
  const baseDir = source.startsWith("<") ? process.cwd() : dirname(resolve(source));
  const top = workflowSchema.safeParse(raw);
  if (!top.success) problems.push(...formatIssues(top.error, ""));
  const obj = isRecord(raw) ? raw : {};
  const params = isRecord(obj.params) ? normalizeParams(obj.params, problems) : [];
  const located: LocatedStep[] = [];
  const ids = new Set<string>();
  const firstPath = new Map<string, string>();
  (Array.isArray(obj.steps) ? obj.steps : []).forEach((rawStep: unknown, index) => {
    const path = joinPath("steps", index);
    const id = isRecord(rawStep) ? rawStep.id : undefined;
    if (typeof id === "string") {
      const earlier = firstPath.get(id);
      if (earlier !== undefined) problems.push(`${joinPath(path, "id")}: duplicate step id "${id}" (also ${earlier})`);
      else firstPath.set(id, path);
      ids.add(id);
    }
    const parsed = stepSchema.safeParse(rawStep);
    if (!parsed.success) problems.push(...formatIssues(parsed.error, path));
    // A step with a bad field is still checked against the rules without that field (problems of this
    // second pass are dropped: they would only repeat the first), so one typo hides nothing else.
    const usable = parsed.success ? parsed.data : salvage(rawStep, parsed.error.issues);
    const step = usable === null ? null : normalizeStep(usable, path, parsed.success ? problems : [], baseDir);
    if (step !== null) located.push({ step, path });
  });
  const workflow: Workflow = {
    name: typeof obj.name === "string" ? obj.name : "",
    ...(typeof obj.description === "string" && { description: obj.description }),
    source,
    params,
    ...(top.success && top.data.budget !== undefined && { budget: normalizeRunBudget(top.data.budget) }),
    steps: located.map((l) => l.step),
  };
  return { workflow, located, ids, problems };
}

import type { ParamSpec, RollbackSpec, Step, Target, Workflow } from "./types.js";
import type { ZodIssue } from "zod";
import { PARAM_NAME, formatIssues, joinPath, paramSchema, stepSchema, workflowSchema, type RawStep } from "./schema.js";

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

const APPROVAL_ONLY_WITHOUT = ["agent", "route", "task", "timeout", "retries", "gate", "rollback"] as const;

function target(raw: Target, path: string, problems: string[]): Target {
  if (raw.agent !== undefined && raw.route !== undefined) {
    problems.push(`${joinPath(path, "route")}: give agent or route, not both`);
  }
  return raw.agent !== undefined ? { agent: raw.agent } : raw.route !== undefined ? { route: raw.route } : {};
}

function normalizeStep(raw: RawStep, path: string, problems: string[]): Step | null {
  const dependsOn = raw.depends_on === undefined ? [] : typeof raw.depends_on === "string" ? [raw.depends_on] : raw.depends_on;
  const base = { id: raw.id, dependsOn, onFailure: raw.on_failure ?? "fail", ...(raw.when !== undefined && { when: raw.when }) };
  // Steps come back even when they have problems, so the rules can check the rest of them;
  // parse.ts throws before such a step could reach the engine.
  if (raw.approval !== undefined) {
    for (const field of APPROVAL_ONLY_WITHOUT) {
      if (raw[field] !== undefined) problems.push(`${joinPath(path, field)}: not allowed on an approval step`);
    }
    return { ...base, kind: "approval", approval: raw.approval };
  }
  if (raw.agent === undefined && raw.route === undefined) {
    problems.push(`${path}: needs one of agent, route or approval`);
  }
  if (raw.task === undefined) problems.push(`${joinPath(path, "task")}: required`);
  const where = target(raw, path, problems);
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
    const step = usable === null ? null : normalizeStep(usable, path, parsed.success ? problems : []);
    if (step !== null) located.push({ step, path });
  });
  const workflow: Workflow = {
    name: typeof obj.name === "string" ? obj.name : "",
    ...(typeof obj.description === "string" && { description: obj.description }),
    source,
    params,
    steps: located.map((l) => l.step),
  };
  return { workflow, located, ids, problems };
}

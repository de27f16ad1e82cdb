import { checkCondition } from "./condition.js";
import { ancestors, findCycles } from "./cycles.js";
import type { LocatedStep } from "./normalize.js";
import { needsProblems } from "./needs-rule.js";
import { joinPath } from "./schema.js";
import { schemaHasPath } from "./output-schema.js";
import { envName } from "./shell-render.js";
import { describeInvalidRef, templateRefs, type TemplateRef } from "./template.js";
import type { Step, Workflow } from "./types.js";

/** Cross-field rules over a normalized workflow; returns `path: message` problems. */
export interface RuleInput {
  readonly workflow: Workflow;
  readonly located: readonly LocatedStep[];
  /** Every step id in the file, including those of steps that failed shape checks. */
  readonly ids: ReadonlySet<string>;
  /** Undefined: agent names are not checked. */
  readonly agents: readonly string[] | undefined;
  /** Each agent's effective labels, for steps with `needs:`; undefined: labels are not checked. */
  readonly labels?: ReadonlyMap<string, readonly string[]> | undefined;
}

interface TemplateField {
  readonly field: string;
  readonly text: string;
  /** Gates and rollbacks run after the step's own task, so they may use its output. */
  readonly self: boolean;
}

function templateFields(step: Step): TemplateField[] {
  const fields: TemplateField[] = [];
  if (step.when !== undefined) fields.push({ field: "when", text: step.when, self: false });
  if (step.kind === "approval") return [...fields, { field: "approval", text: step.approval, self: false }];
  if (step.kind === "input") {
    fields.push({ field: "input.text", text: step.text, self: false });
    step.questions.forEach((q, i) => {
      fields.push({ field: `input.questions.${i}.prompt`, text: q.prompt, self: false });
      if (q.default !== undefined) fields.push({ field: `input.questions.${i}.default`, text: q.default, self: false });
    });
    return fields;
  }
  fields.push({ field: "task", text: step.task, self: false });
  if (step.gate !== undefined) fields.push({ field: "gate", text: step.gate, self: true });
  if (step.rollback !== undefined) fields.push({ field: "rollback.task", text: step.rollback.task, self: true });
  return fields;
}

export function checkRules(input: RuleInput): string[] {
  const { workflow, located, ids, agents } = input;
  const problems: string[] = [];
  const params = new Set(workflow.params.map((p) => p.name));
  const upstream = ancestors(workflow.steps);
  const known = agents === undefined ? "" : agents.length > 0 ? ` (known: ${agents.join(", ")})` : " (no agents are configured)";
  const checkAgent = (agent: string | undefined, path: string): void => {
    if (agent !== undefined && agents !== undefined && !agents.includes(agent)) problems.push(`${path}: unknown agent "${agent}"${known}`);
  };

  const byId = new Map(workflow.steps.map((st) => [st.id, st]));
  const variables = new Map<string, { raw: string; where: string }>();
  for (const { step, path } of located) {
    if (step.kind === "task") {
      checkAgent(step.agent, joinPath(path, "agent"));
      checkAgent(step.rollback?.agent, joinPath(path, "rollback.agent"));
      if (input.labels !== undefined) problems.push(...needsProblems(step, path, input.labels));
    }
    const seen = new Set<string>();
    step.dependsOn.forEach((dep, i) => {
      const where = joinPath(path, "depends_on", i);
      if (!ids.has(dep)) problems.push(`${where}: unknown step "${dep}"`);
      else if (seen.has(dep)) problems.push(`${where}: "${dep}" is listed twice`);
      seen.add(dep);
    });
    for (const { field, text, self } of templateFields(step)) {
      const where = joinPath(path, field);
      for (const ref of templateRefs(text)) {
        const invalid = describeInvalidRef(ref);
        if (invalid !== null) problems.push(`${where}: ${invalid}`);
        else if (ref.kind === "param" && !params.has(ref.name)) {
          problems.push(`${where}: unknown param "${ref.name}" in ${ref.raw}`);
        } else if (ref.kind === "step") {
          if (!ids.has(ref.step)) problems.push(`${where}: unknown step "${ref.step}" in ${ref.raw}`);
          else if (!(self && ref.step === step.id) && !upstream.get(step.id)?.has(ref.step)) {
            problems.push(`${where}: ${ref.raw} uses step "${ref.step}", which "${step.id}" does not depend on (add it to depends_on)`);
          } else {
            const problem = fieldProblem(ref, byId.get(ref.step));
            if (problem !== null) problems.push(`${where}: ${problem}`);
          }
        }
        if (invalid === null) problems.push(...sharedVariable(ref, where, variables));
      }
      if (field === "when") {
        const problem = checkCondition(text);
        if (problem !== null) problems.push(`${where}: ${problem}`);
      }
    }
  }

  problems.push(
    ...sameVariable(
      workflow.params.map((p) => [p.name, `params.${p.name}`]),
      (name) => `CA_PARAM_${name.toUpperCase().replace(/-/g, "_")}`,
    ),
  );
  problems.push(
    ...sameVariable(
      located.map((l) => [l.step.id, joinPath(l.path, "id")]),
      (id) => `CA_STEP_${id.toUpperCase().replace(/-/g, "_")}_OUTPUT`,
    ),
  );

  const pathOf = new Map(located.map((l) => [l.step.id, l.path]));
  for (const cycle of findCycles(workflow.steps)) {
    const first = cycle[0] ?? "";
    problems.push(`${joinPath(pathOf.get(first) ?? "steps", "depends_on")}: dependency cycle ${cycle.join(" → ")}`);
  }
  return problems;
}

/** What an answers or json reference needs of the step it names: that question, or an output_schema that has that field. */
function fieldProblem(ref: Extract<TemplateRef, { kind: "step" }>, target: Step | undefined): string | null {
  if (target === undefined) return null;
  if (ref.field === "answers") {
    if (target.kind !== "input") return `${ref.raw}: step "${ref.step}" is not an input step (answers come from input steps)`;
    if (!target.questions.some((q) => q.name === ref.key))
      return `${ref.raw}: step "${ref.step}" asks no question "${ref.key}" (it asks ${target.questions.map((q) => q.name).join(", ")})`;
    return null;
  }
  if (ref.field === "json") {
    if (target.kind !== "task" || target.outputSchema === undefined)
      return `${ref.raw}: step "${ref.step}" has no output_schema, so its output is not known to be JSON`;
    if (schemaHasPath(target.outputSchema.schema, ref.key) === false)
      return `${ref.raw}: the output_schema of "${ref.step}" (${target.outputSchema.file}) has no field ${ref.key}`;
  }
  return null;
}

/**
 * A shell step reads each value from a variable named after its reference (envName); two different
 * references must not share one (`json.a_b` and `json.a.b`, step `a-json` and `a`'s json).
 */
function sharedVariable(ref: TemplateRef, where: string, seen: Map<string, { raw: string; where: string }>): string[] {
  const name = envName(ref);
  const raw = ref.raw.replace(/\s+/g, "");
  const earlier = seen.get(name);
  if (earlier === undefined) {
    seen.set(name, { raw, where });
    return [];
  }
  return earlier.raw === raw ? [] : [`${where}: ${raw} and ${earlier.raw} (${earlier.where}) would both be ${name} in a shell step: rename one`];
}

/** A shell step reads values from variables named after params and step ids (CA_PARAM_ENV); two names must not share one. */
function sameVariable(names: readonly [string, string][], variable: (name: string) => string): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const [name, path] of names) {
    const v = variable(name);
    const earlier = seen.get(v);
    if (earlier !== undefined && earlier !== name) problems.push(`${path}: "${name}" and "${earlier}" would both be ${v} in a shell step: rename one`);
    else seen.set(v, name);
  }
  return problems;
}

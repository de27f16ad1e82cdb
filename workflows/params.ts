import { UsageError } from "../core/index.js";
import type { Workflow } from "./types.js";

/**
 * The params an execution runs with: the given ones plus defaults. Unknown
 * and missing required params are reported together, in one UsageError.
 */
export function resolveParams(workflow: Workflow, given: Readonly<Record<string, string>>): Record<string, string> {
  const problems: string[] = [];
  const known = new Set(workflow.params.map((p) => p.name));
  const list = workflow.params.length > 0 ? workflow.params.map((p) => p.name).join(", ") : "none";
  for (const name of Object.keys(given)) {
    if (!known.has(name)) problems.push(`unknown param "${name}" (workflow "${workflow.name}" takes: ${list})`);
  }
  const resolved: Record<string, string> = {};
  for (const spec of workflow.params) {
    const value = Object.hasOwn(given, spec.name) ? given[spec.name] : spec.default;
    if (value !== undefined) resolved[spec.name] = value;
    else if (spec.required) problems.push(`missing required param "${spec.name}"`);
    // An optional param without a default renders as "" rather than failing the template.
    else resolved[spec.name] = "";
  }
  if (problems.length > 0) {
    throw new UsageError(problems.join("; "), {
      hint: "Pass params as --params name=value, one word per param (--params env=prod version=1.2).",
      context: { workflow: workflow.name },
    });
  }
  return resolved;
}

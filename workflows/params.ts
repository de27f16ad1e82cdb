import { firstBadCharacter, UsageError } from "../core/index.js";
import type { Workflow } from "./types.js";

/**
 * The params an execution runs with: the given ones plus defaults. Unknown
 * and missing required params are reported together, in one UsageError.
 */
export function resolveParams(workflow: Workflow, given: Readonly<Record<string, string>>): Record<string, string> {
  const problems: string[] = [];
  const known = new Set(workflow.params.map((p) => p.name));
  const list = workflow.params.length > 0 ? workflow.params.map((p) => p.name).join(", ") : "none";
  for (const [name, value] of Object.entries(given)) {
    if (!known.has(name)) problems.push(`unknown param "${name}" (workflow "${workflow.name}" takes: ${list})`);
    // A NUL would vanish from the shell line it is templated into; a lone surrogate cannot be stored as UTF-8.
    const bad = typeof value === "string" ? firstBadCharacter(value) : null;
    if (bad)
      problems.push(
        `param "${name}": ${bad.what === "NUL" ? "contains a NUL byte" : "is not valid Unicode (an unpaired surrogate)"} at character ${bad.index}`,
      );
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

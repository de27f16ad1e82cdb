/**
 * Request validation with a route's zod schemas: every problem with its JSON
 * pointer, unknown fields refused (the schemas are strict), and a string
 * over its size limit answered 413 rather than 400.
 */
import type { z } from "zod/v4";
import { badStrings, escapePointer } from "./json-body.js";
import { problems, type FieldProblem } from "./problem.js";

export function validatePart<S extends z.ZodType>(schema: S | undefined, value: unknown, where: "body" | "query" | "path"): z.infer<S> {
  if (where !== "body") {
    const bad = badStrings(value, "", where);
    if (bad.length > 0) throw problems.invalid(bad);
  }
  if (!schema) return (where === "body" ? undefined : {}) as z.infer<S>;
  const result = schema.safeParse(where === "body" ? value : (value ?? {}));
  if (result.success) return result.data;
  const issues = result.error.issues;
  const fields: FieldProblem[] = issues.flatMap((issue) => {
    const pointer = issue.path.map((part) => `/${escapePointer(String(part))}`).join("");
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => ({ pointer: `${pointer}/${escapePointer(key)}`, in: where, detail: "unknown field" }));
    return [{ pointer, in: where, detail: issue.message }];
  });
  const oversized = where === "body" && issues.some((issue) => issue.code === "too_big" && issue.origin === "string");
  throw problems.invalid(fields, oversized ? 413 : 400);
}

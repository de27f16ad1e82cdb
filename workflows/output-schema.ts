import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { parse as parseYaml } from "yaml";
import type { OutputSchema } from "./types.js";

/**
 * `output_schema:` of a step: a JSON Schema (draft-07, in a JSON or YAML file
 * relative to the workflow, or written inline) that the step's output must
 * satisfy. The schema is read when the workflow is loaded and stored with the
 * execution, so editing the file later does not change a running execution.
 */

const MAX_SCHEMA_BYTES = 256 * 1024;
/** Errors listed in a follow-up prompt and a step's reason at most; the rest are counted. */
const MAX_ERRORS = 20;

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction>();

function compile(schema: Readonly<Record<string, unknown>>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

/** Reads and compiles a step's `output_schema` (a path, or the schema itself); a problem instead when it cannot. */
export function loadOutputSchema(value: unknown, baseDir: string): { schema: OutputSchema } | { problem: string } {
  let schema: unknown = value;
  let file = "<inline>";
  if (typeof value === "string") {
    file = resolve(baseDir, value);
    try {
      if (statSync(file).size > MAX_SCHEMA_BYTES) return { problem: `${file} is larger than ${MAX_SCHEMA_BYTES} bytes` };
      const text = readFileSync(file, "utf8");
      schema = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (code ?? (error instanceof Error ? error.message : String(error)));
      return { problem: `cannot read the schema ${file}: ${why}` };
    }
  }
  if (schema === null || typeof schema !== "object" || Array.isArray(schema))
    return { problem: `${file === "<inline>" ? "the schema" : file} is not a JSON Schema object` };
  try {
    compile(schema as Record<string, unknown>);
  } catch (error) {
    return { problem: `${file === "<inline>" ? "the schema" : file} is not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { schema: { file, schema: schema as Record<string, unknown> } };
}

export type SchemaCheck = { readonly ok: true; readonly json: unknown } | { readonly ok: false; readonly errors: readonly string[] };

/**
 * The JSON document in a step's output: the whole output, else the last fenced
 * ```json (or plain ```) block in it, since models often wrap an answer in one.
 */
export function extractJson(output: string): { json: unknown } | null {
  const candidates = [output.trim()];
  const fences = [...output.matchAll(/```(?:json)?[ \t]*\n([\s\S]*?)\n[ \t]*```/g)].map((m) => m[1] ?? "");
  candidates.push(...fences.reverse());
  for (const text of candidates) {
    if (text === "") continue;
    try {
      return { json: JSON.parse(text) };
    } catch {
      // the next candidate
    }
  }
  return null;
}

/** Checks a step's output against its schema: the JSON it holds, or the errors, one line each (`/hosts/0/name: must be string`). */
export function checkOutput(output: string, schema: OutputSchema): SchemaCheck {
  const found = extractJson(output);
  if (found === null) return { ok: false, errors: ["the output is not a JSON document (nor does it contain a ```json block)"] };
  const validate = compile(schema.schema);
  if (validate(found.json)) return { ok: true, json: found.json };
  return { ok: false, errors: describeErrors(validate.errors ?? []) };
}

function describeErrors(errors: readonly ErrorObject[]): string[] {
  const lines = errors.slice(0, MAX_ERRORS).map((e) => {
    const where = e.instancePath === "" ? "(the document)" : e.instancePath;
    const extra =
      e.keyword === "additionalProperties"
        ? `: ${String((e.params as { additionalProperty?: string }).additionalProperty)}`
        : e.keyword === "enum"
          ? `: ${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(", ")}`
          : "";
    return `${where}: ${e.message ?? e.keyword}${extra}`;
  });
  if (errors.length > MAX_ERRORS) lines.push(`… and ${errors.length - MAX_ERRORS} more`);
  return lines;
}

/** Whether `path` (dot-separated) can exist in documents the schema accepts; null when the schema does not say. */
export function schemaHasPath(schema: unknown, path: string): boolean | null {
  let node = schema as Record<string, unknown> | undefined;
  for (const key of path === "" ? [] : path.split(".")) {
    if (node === undefined || typeof node !== "object") return null;
    if (/^\d+$/.test(key) && node.items !== undefined) {
      node = node.items as Record<string, unknown>;
      continue;
    }
    const properties = node.properties as Record<string, unknown> | undefined;
    if (properties === undefined) return null; // not described (anyOf, $ref, …): not checked
    if (!Object.hasOwn(properties, key)) return node.additionalProperties === false || node.additionalProperties === undefined ? false : null;
    node = properties[key] as Record<string, unknown>;
  }
  return true;
}

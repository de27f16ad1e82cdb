/**
 * The API's JSON body parser: bytes must be valid UTF-8 (a stray byte is an
 * error, never a silent U+FFFD), the JSON well formed, and no string may
 * hold a NUL byte or a lone surrogate (bash drops NULs from a script, which
 * once let `mk\0fs` pass the command policy). Each refusal names the field.
 */
import type { FastifyInstance } from "fastify";
import { problems, type FieldProblem } from "./problem.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function registerJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body: Buffer | string, done) => {
    try {
      done(null, parseJsonBody(Buffer.isBuffer(body) ? body : Buffer.from(body)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

export function parseJsonBody(bytes: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw problems.invalid([{ pointer: "", in: "body", detail: `the body is not valid UTF-8 (first bad byte at offset ${badUtf8Offset(bytes)})` }]);
  }
  if (text.trim() === "") throw problems.invalid([{ pointer: "", in: "body", detail: "the body is empty; expected a JSON object" }]);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw problems.invalid([{ pointer: "", in: "body", detail: `malformed JSON: ${(error as Error).message}` }]);
  }
  const bad = badStrings(value, "", "body");
  if (bad.length > 0) throw problems.invalid(bad);
  return value;
}

/** Strings anywhere in a value (keys included) that hold NUL or a lone surrogate. */
export function badStrings(value: unknown, pointer: string, where: string, out: FieldProblem[] = []): FieldProblem[] {
  if (out.length >= 20) return out;
  if (typeof value === "string") {
    const problem = stringProblem(value);
    if (problem) out.push({ pointer, in: where, detail: problem });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => badStrings(item, `${pointer}/${index}`, where, out));
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const at = `${pointer}/${escapePointer(key)}`;
      const keyProblem = stringProblem(key);
      if (keyProblem) out.push({ pointer: at, in: where, detail: `the key ${keyProblem.replace(/^the text /, "")}` });
      badStrings(item, at, where, out);
    }
  }
  return out;
}

export function stringProblem(text: string): string | null {
  const nul = text.indexOf("\u0000");
  if (nul >= 0) return `the text contains a NUL byte (at character ${nul}); NUL bytes are refused`;
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) return "the text contains a lone UTF-16 surrogate (not valid Unicode)";
  return null;
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Offset of the first byte that starts no valid UTF-8 sequence (linear: a large body must not cost quadratic time). */
function badUtf8Offset(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const size = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (size === 0) return i;
    try {
      utf8.decode(bytes.subarray(i, i + size));
    } catch {
      return i;
    }
    i += size;
  }
  return i;
}

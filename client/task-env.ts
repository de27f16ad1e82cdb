import { TASK_ENV_NAME, UsageError } from "../core/index.js";

/** One exported variable must fit one execve string (MAX_ARG_STRLEN: 128 KiB with its name, '=' and NUL). */
const MAX_STRING = 131_072;
/** A task's variables together: half of execve's 2 MiB (ARG_MAX here), the rest left to the agent's own environment. */
const MAX_TOTAL = 1024 * 1024;
/** Text that has no UTF-8 form (String.prototype.isWellFormed is not in Node 20's TypeScript lib). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks a task's own variables at submit (SubmitOptions.env): names `CA_[A-Z0-9_]+`
 * (so no task can set PATH, LD_PRELOAD or the swarm's own variables), values well
 * formed text without NUL bytes (no environment string can hold one), each small
 * enough for execve. Returns a frozen copy, or undefined when there are none.
 */
export function checkTaskEnv(env: unknown): Readonly<Record<string, string>> | undefined {
  if (env === undefined) return undefined;
  if (env === null || typeof env !== "object" || Array.isArray(env)) throw new UsageError(`env: expected an object of NAME: value, got ${JSON.stringify(env)}`);
  const out: Record<string, string> = {};
  let total = 0;
  for (const [name, value] of Object.entries(env)) {
    if (!TASK_ENV_NAME.test(name)) {
      throw new UsageError(`env: ${JSON.stringify(name)} is not a task variable name: names are CA_ followed by capital letters, digits and _`);
    }
    if (typeof value !== "string") throw new UsageError(`env: ${name}: expected a string, got ${JSON.stringify(value)}`);
    if (value.includes("\0")) throw new UsageError(`env: ${name}: the value contains a NUL byte, which no environment variable can carry`);
    if (LONE_SURROGATE.test(value)) throw new UsageError(`env: ${name}: the value is not valid text (a lone UTF-16 surrogate)`);
    const bytes = Buffer.byteLength(name) + 2 + Buffer.byteLength(value);
    if (bytes > MAX_STRING)
      throw new UsageError(`env: ${name}: the value is ${bytes - name.length - 2} bytes; one variable carries at most ${MAX_STRING - name.length - 2}`);
    total += bytes;
    out[name] = value;
  }
  if (total > MAX_TOTAL) throw new UsageError(`env: the variables come to ${total} bytes; a task's variables carry at most ${MAX_TOTAL}`);
  return Object.keys(out).length > 0 ? Object.freeze(out) : undefined;
}

import { z } from "zod";
import { ConfigError } from "../errors.js";
import type { InboxItem } from "./types.js";

/** Items read back from Redis are checked at the edge, like executions are. */
const str = z.string();
const nullableStr = str.nullable();

const question = z.object({
  name: str,
  prompt: str,
  default: str.optional(),
  choices: z.array(str).optional(),
  pattern: str.optional(),
  required: z.boolean(),
});

const answer = z.union([z.object({ decision: z.enum(["approve", "deny"]), reason: str.optional(), by: str }), z.object({ values: z.record(str), by: str })]);

const itemSchema: z.ZodType<InboxItem, z.ZodTypeDef, unknown> = z.object({
  id: str,
  kind: z.enum(["approval", "input"]),
  status: z.enum(["open", "answered", "withdrawn"]),
  title: str,
  text: str,
  questions: z.array(question),
  source: z.union([
    z.object({ type: z.literal("workflow"), executionId: str, workflow: str, step: str }),
    z.object({ type: z.literal("budget"), agent: str, period: str }),
    z.object({ type: z.literal("budget"), executionId: str, workflow: str }),
    z.object({ type: z.literal("policy"), agent: str, taskId: str, call: str.optional() }),
    z.object({ type: z.literal("task"), agent: str, taskId: str }),
    z.object({ type: z.literal("prompt"), agent: str, session: str, taskId: str }),
  ]),
  createdAt: str,
  escalateAt: nullableStr,
  escalatedAt: nullableStr,
  answer: answer.nullable(),
  closedAt: nullableStr,
  reason: nullableStr,
});

export function parseItem(text: string, where: string): InboxItem {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError([`${where}: not valid JSON`], { cause, context: { key: where } });
  }
  const parsed = itemSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((i) => `${where}: ${i.path.join(".")}: ${i.message}`),
      { context: { key: where } },
    );
  return parsed.data;
}

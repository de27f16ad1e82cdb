/** Schemas shared by several resources: ids, names, problem documents, pages. */
import { z } from "zod/v4";
import { LABEL, LABEL_EXPECTED } from "../../core/index.js";

/** Task and execution ids are `[a-z0-9-]`: they become parts of Redis keys and file names. */
export const taskId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "expected a task id such as mwr1ibh2-vyxk4r");
export const executionId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "expected an execution id");
export const agentName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "expected an agent name (lowercase letters, digits, hyphens)");
export const sessionName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,70}$/, "expected a session name such as backend-api-1");
/** A host or agent label (`gpu`, `cuda-12`), as swarm.yaml's `labels:`. */
export const label = z.string().regex(LABEL, `expected ${LABEL_EXPECTED}`);
export const stepId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "expected a step id");

/** How long a request may wait for a task or execution to end, in seconds (`?wait=60`). */
export const waitSeconds = z.coerce.number().int().min(0).max(600).describe("long-poll: wait up to this many seconds for the task to end");

export const limit = z.coerce.number().int().min(1).max(500).default(50);

export const fieldProblem = z.object({ pointer: z.string(), in: z.string(), detail: z.string() });
export const problem = z
  .object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string().optional(), errors: z.array(fieldProblem).optional() })
  .describe("RFC 9457 problem details");

export const idParams = z.object({ id: taskId }).strict();
export const ok = z.object({ ok: z.boolean() });

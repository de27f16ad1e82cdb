import { z } from "zod/v4";
import { agentName, executionId, taskId } from "./common.js";

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
export const streamId = z.string().regex(STREAM_ID, "expected a stream id such as 1732230000000-0");

/** Event filters, shared by SSE, the WebSocket subscription and the JSON list. */
export const eventFilter = {
  agent: agentName.optional().describe("only events of this agent"),
  task: taskId.optional().describe("only events of this task"),
  workflow: executionId.optional().describe("only events of this workflow execution"),
  type: z
    .string()
    .regex(/^[a-z*][a-z0-9.*-]{0,63}(,[a-z*][a-z0-9.*-]{0,63}){0,19}$/, "expected event types such as task.completed or task.*, comma separated")
    .optional()
    .describe("event types, comma separated; `task.*` matches a family"),
};

export const sseQuery = z.object({ ...eventFilter, after: streamId.optional().describe("start after this event id (like Last-Event-ID)") }).strict();
export const listEventsQuery = z
  .object({
    ...eventFilter,
    after: streamId.optional().describe("only events after this id, oldest first"),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

export const swarmEvent = z.object({
  id: z.string(),
  type: z.string(),
  at: z.string(),
  taskId: z.string().optional(),
  agent: z.string().optional(),
  session: z.string().optional(),
  status: z.string().optional(),
  executionId: z.string().optional(),
});
export const eventList = z.object({ events: z.array(swarmEvent), lastId: z.string().describe("the newest event id now; pass as `after` to continue") });

/** A WebSocket client's messages. */
export const wsMessage = z.discriminatedUnion("type", [
  z
    .object({ type: z.literal("subscribe"), id: z.string().max(100).optional(), filter: z.object(eventFilter).strict().optional(), after: streamId.optional() })
    .strict(),
  z.object({ type: z.literal("unsubscribe"), id: z.string().max(100).optional() }).strict(),
  z.object({ type: z.literal("ping") }).strict(),
]);
export type WsMessage = z.infer<typeof wsMessage>;

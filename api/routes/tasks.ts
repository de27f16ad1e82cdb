import { z } from "zod/v4";
import { isTerminal, NotFoundError } from "../../core/index.js";
import { route, Answer, type AnyRoute } from "../http/route.js";
import { problems } from "../http/problem.js";
import { labelsProblem } from "../http/labels-problem.js";
import {
  cancelled,
  getQuery,
  idempotencyKey,
  listQuery,
  submitBody,
  submitQuery,
  submitted,
  submittedTask,
  taskPage,
  taskParams,
  taskView,
} from "../schemas/tasks.js";
import type { ApiDeps } from "./deps.js";
import { abortOnClose } from "./abort.js";

export function taskRoutes(deps: ApiDeps): AnyRoute[] {
  const { control } = deps;
  return [
    route({
      method: "POST",
      url: "/v1/tasks",
      operationId: "submitTask",
      summary: "Submit a task",
      description:
        "Queues a task for an agent (routed when `agent` is omitted). 201 for a new task; 200 when the Idempotency-Key names an existing one. " +
        "With `?wait=N` it also waits, in the same request, up to N seconds for the task to end and answers its result: 201 (or 200 for an existing key) once it ended, " +
        "202 with the task as it is when the wait ran out (poll `GET /v1/tasks/{id}?wait=` on). The Idempotency-Key rules are the same with or without `wait`.",
      tag: "tasks",
      scope: "submit",
      mutation: true,
      body: submitBody,
      query: submitQuery,
      headers: { "Idempotency-Key": { description: "submitting again with the same key returns the same task", schema: idempotencyKey } },
      responses: {
        201: { description: "queued (with `wait`: queued and ended; the body is its result)", schema: z.union([submitted, submittedTask]) },
        200: {
          description: "the task this Idempotency-Key named (with `wait`: it has ended; the body is its result)",
          schema: z.union([submitted, submittedTask]),
        },
        202: { description: "with `wait`: queued, and still queued or running when the wait ran out", schema: submittedTask },
        409: { description: "the Idempotency-Key was used with a different body" },
        413: { description: "the body or the task text is too large" },
        422: { description: "no agent has every label `needs` names (or the agent named lacks one): the problem lists each agent's labels" },
      },
      async handler({ body, query, request, reply, token }) {
        const key = request.headers["idempotency-key"];
        if (key !== undefined) {
          const checked = idempotencyKey.safeParse(key);
          if (!checked.success) throw problems.invalid([{ pointer: "/Idempotency-Key", in: "header", detail: checked.error.issues[0]!.message }]);
          await deps.idempotency.check(checked.data, body);
        }
        const origin = token ? { actor: token.name, via: "api" as const } : undefined;
        const result = await control.submit(body, typeof key === "string" ? key : undefined, origin).catch((error: unknown) => {
          // An unknown agent is a bad field of this body, not a missing resource.
          if (error instanceof NotFoundError && body.agent !== undefined) throw problems.invalid([{ pointer: "/agent", in: "body", detail: error.message }]);
          throw labelsProblem(error) ?? error;
        });
        const location = { location: `/v1/tasks/${result.id}` };
        if (query.wait === undefined) return new Answer(result.created ? 201 : 200, result, location);
        const task = await control.result(result.id, query.wait, abortOnClose(reply));
        const ended = isTerminal(task.status);
        return new Answer(ended ? (result.created ? 201 : 200) : 202, { ...task, routedBy: result.routedBy, created: result.created }, location);
      },
    }),
    route({
      method: "GET",
      url: "/v1/tasks",
      operationId: "listTasks",
      summary: "List tasks, newest first",
      description: "Filters by agent and status; `nextCursor` pages on without skipping or repeating tasks submitted meanwhile.",
      tag: "tasks",
      scope: "read",
      query: listQuery,
      responses: { 200: { description: "a page of tasks", schema: taskPage } },
      handler: ({ query }) => control.listTasks(query),
    }),
    route({
      method: "GET",
      url: "/v1/tasks/:id",
      operationId: "getTask",
      summary: "Get a task (long-poll with ?wait=)",
      description: "With `wait=N`, answers once the task has ended or after N seconds, whichever comes first (the task as it is then).",
      tag: "tasks",
      scope: "read",
      params: taskParams,
      query: getQuery,
      responses: { 200: { description: "the task", schema: taskView }, 404: { description: "no such task" } },
      handler: ({ params, query, reply }) => control.task(params.id, query.wait, abortOnClose(reply)),
    }),
    route({
      method: "GET",
      url: "/v1/tasks/:id/result",
      operationId: "getTaskResult",
      summary: "Get a task's result (as `claude-agent result --json`)",
      tag: "tasks",
      scope: "read",
      params: taskParams,
      query: getQuery,
      responses: { 200: { description: "the result", schema: taskView }, 404: { description: "no such task" } },
      handler: ({ params, query, reply }) => control.result(params.id, query.wait, abortOnClose(reply)),
    }),
    route({
      method: "POST",
      url: "/v1/tasks/:id/cancel",
      operationId: "cancelTask",
      summary: "Cancel a task",
      description: "Removes a waiting task from its queue, or interrupts a running one (Ctrl-C in its pane); it ends `cancelled`.",
      tag: "tasks",
      scope: "control",
      mutation: true,
      params: taskParams,
      body: z.object({}).strict().optional(),
      responses: { 200: { description: "cancel requested (or the task had already ended)", schema: cancelled }, 404: { description: "no such task" } },
      handler: ({ params, token }) => control.cancelTask(params.id, token ? { actor: token.name, via: "api" } : undefined),
    }),
    route({
      method: "POST",
      url: "/v1/tasks/:id/retry",
      operationId: "retryTask",
      summary: "Run an ended task again",
      description:
        "Submits a new task with the ended task's agent, text and options. Asked again for the same task, it answers the first retry (`created: false`). " +
        "The failed task's inbox item, if open, is answered with the new task's id. 400 for a task that has not ended or whose text held a secret (not kept after it ended).",
      tag: "tasks",
      scope: "submit",
      mutation: true,
      params: taskParams,
      body: z.object({}).strict().optional(),
      responses: {
        201: { description: "the new task", schema: submitted },
        200: { description: "the task was retried before: that retry (`created: false`)", schema: submitted },
        404: { description: "no such task" },
      },
      handler: async ({ params, token }) => {
        const retried = await control.retryTask(params.id, token ? { actor: token.name, via: "api" } : undefined);
        return new Answer(retried.created ? 201 : 200, retried, { location: `/v1/tasks/${retried.id}` });
      },
    }),
  ];
}

/**
 * GET /v1/history/tasks: past and present tasks from the durable history
 * (kept after Redis forgets them), filtered and searched as `claude-agent
 * tasks` does. The daemon hands the API its reader; without one (no store
 * reachable) the route answers 503 and says why.
 */
import { NotFoundError, NotRunningError } from "../../core/index.js";
import { route, type AnyRoute } from "../http/route.js";
import { historyTaskDetail, historyTaskPage, historyTaskQuery, throughput, throughputQuery, type HistoryReader } from "../schemas/history.js";
import { taskParams } from "../schemas/tasks.js";
import type { ApiDeps } from "./deps.js";

export function historyRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: "GET",
      url: "/v1/history/tasks",
      operationId: "searchHistoryTasks",
      summary: "Tasks from the durable history: filters, full-text search, pages",
      description:
        "Newest first; with `search`, tasks whose own text holds every word come first, then the rest, newest first in each, each with a `snippet`. The same store and rules as `claude-agent tasks`.",
      tag: "history",
      scope: "read",
      query: historyTaskQuery,
      responses: {
        200: { description: "a page of tasks", schema: historyTaskPage },
        503: { description: "this daemon has no history store to read" },
      },
      handler: async ({ query }) => {
        const { status, ...rest } = query;
        return reader(deps).tasks({ ...rest, ...(status ? { statuses: status } : {}) });
      },
    }),
    route({
      method: "GET",
      url: "/v1/history/throughput",
      operationId: "getThroughput",
      summary: "Finished tasks per minute (completed, failed, cancelled) and the mean wait before start",
      tag: "history",
      scope: "read",
      query: throughputQuery,
      responses: {
        200: { description: "every bucket of the window, oldest first", schema: throughput },
        503: { description: "this daemon has no history store to read" },
      },
      handler: ({ query }) => reader(deps).throughput(query.minutes),
    }),
    route({
      method: "GET",
      url: "/v1/history/tasks/:id",
      operationId: "getHistoryTask",
      summary: "One task's durable record, months later, even after Redis dropped it",
      tag: "history",
      scope: "read",
      params: taskParams,
      responses: {
        200: { description: "the task's record", schema: historyTaskDetail },
        404: { description: "the history has no such task" },
        503: { description: "this daemon has no history store to read" },
      },
      handler: async ({ params }) => {
        const task = await reader(deps).task(params.id);
        if (!task) throw new NotFoundError(`the history has no task ${params.id}`, { hint: "GET /v1/history/tasks lists what it keeps." });
        return task;
      },
    }),
  ];
}

function reader(deps: ApiDeps): HistoryReader {
  if (!deps.history)
    throw new NotRunningError("the history store is not available to this daemon", { hint: "`claude-agent doctor` checks the history writer." });
  return deps.history;
}

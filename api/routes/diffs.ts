/**
 * GET /v1/tasks/:id/diff: the patch of what a worktree agent's task changed
 * (`<home>/output/<id>.diff`, written by the bridge when the task ended, cut
 * at 2 MB, the swarm's secrets redacted like the task's output). The file is
 * found by the task's id in the home's output folder, never by a path a
 * record names. The patch is an agent's text: the web dashboard shows it as
 * text, never as markup.
 */
import { z } from "zod/v4";
import { NotFoundError, readRegularFile, taskDiffFile } from "../../core/index.js";
import { route, type AnyRoute } from "../http/route.js";
import { taskParams } from "../schemas/tasks.js";
import type { ApiDeps } from "./deps.js";

const patch = z.object({
  id: z.string(),
  bytes: z.number().int().describe("the patch's size as kept (the task record's diffBytes is its size before any cut)"),
  patch: z.string().describe("`git diff` of the worktree before and after the task; cut at 2 MB with a line saying so"),
});

export function diffRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: "GET",
      url: "/v1/tasks/:id/diff",
      operationId: "getTaskDiff",
      summary: "The patch of what a worktree agent's task changed",
      tag: "tasks",
      scope: "read",
      params: taskParams,
      responses: { 200: { description: "the patch", schema: patch }, 404: { description: "no patch of this task on this host" } },
      handler: async ({ params }) => {
        const text = readRegularFile(taskDiffFile(deps.outputDir, params.id));
        if (text === null) {
          throw new NotFoundError(`no patch of task ${params.id}`, {
            hint: "only a worktree agent's task that changed files has one; a task that ran on another host keeps its patch there; patches go with the task's output at retention",
          });
        }
        return { id: params.id, bytes: Buffer.byteLength(text), patch: text };
      },
    }),
  ];
}

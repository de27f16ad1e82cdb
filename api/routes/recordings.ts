/**
 * GET /v1/tasks/:id/recording: a task's flight recording (its pane as the
 * recorder saw it, `<home>/output/<id>.cast`) as JSON for the web
 * dashboard's replay, with the pane's output passed through the same filter
 * as `claude-agent replay` (core/replay-safe.ts): a recording is what an
 * agent printed, and a browser terminal must not be told to set the
 * clipboard, change its title or answer queries from it. The file is found
 * by the task's id in the home's output folder, never by a path a record
 * names. Like the live terminal, it needs the `terminal` scope: a pane's
 * output is not redacted.
 */
import { join } from "node:path";
import { z } from "zod/v4";
import { NotFoundError, parseCast, readRegularFile, ReplayFilter, type CastEvent } from "../../core/index.js";
import { route, type AnyRoute } from "../http/route.js";
import { taskParams } from "../schemas/tasks.js";
import type { ApiDeps } from "./deps.js";

const recording = z.object({
  id: z.string(),
  header: z.object({
    width: z.number().int().describe("the pane's columns when the recording began"),
    height: z.number().int().describe("the pane's rows when the recording began"),
    timestamp: z.number().describe("Unix time of the first event, seconds"),
    title: z.string().optional(),
  }),
  events: z
    .array(z.tuple([z.number(), z.enum(["o", "i", "m", "r"]), z.string()]))
    .describe(
      "asciicast v2 events: [seconds since the start, code, data]; o output (filtered for replay), i the prompt as delivered, m a marker, r a resize (`120x40`)",
    ),
});

export function recordingRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: "GET",
      url: "/v1/tasks/:id/recording",
      operationId: "getTaskRecording",
      summary: "A task's flight recording (asciicast events, filtered for replay)",
      tag: "tasks",
      // The pane's bytes as the agent printed them, unredacted: what the live terminal shows, so its scope.
      scope: "terminal",
      params: taskParams,
      responses: { 200: { description: "the recording", schema: recording }, 404: { description: "no recording of this task" } },
      handler: async ({ params }) => {
        const file = join(deps.outputDir, `${params.id}.cast`);
        const text = readRegularFile(file);
        if (text === null) {
          throw new NotFoundError(`no recording of task ${params.id}`, {
            hint: "tasks refused or cancelled before they started have none, nor those run with CLAUDE_AGENT_RECORDER=off; recordings go with the task's output at retention",
          });
        }
        const cast = parseCast(text, file);
        const filter = new ReplayFilter();
        const events = cast.events.map(([time, code, data]): CastEvent => [time, code, code === "o" ? filter.push(data) : data]);
        const { width, height, timestamp, title } = cast.header;
        return { id: params.id, header: { width, height, timestamp, ...(title === undefined ? {} : { title }) }, events };
      },
    }),
  ];
}

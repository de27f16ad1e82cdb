import { z } from "zod/v4";
import { Answer, route, type AnyRoute } from "../http/route.js";
import {
  example,
  executionParams,
  executionQuery,
  executionState,
  executionSummary,
  reasonBody,
  runBody,
  stepParams,
  validateBody,
  validated,
} from "../schemas/workflows.js";
import { abortOnClose } from "./abort.js";
import type { ApiDeps } from "./deps.js";

export function workflowRoutes(deps: ApiDeps): AnyRoute[] {
  const { control } = deps;
  const invalid = { 422: { description: "the workflow does not validate; `errors` lists every problem with its path" } };
  return [
    route({
      method: "POST",
      url: "/v1/workflows/validate",
      operationId: "validateWorkflow",
      summary: "Validate a workflow against the running swarm's agents",
      tag: "workflows",
      scope: "read",
      body: validateBody,
      responses: { 200: { description: "valid", schema: validated }, ...invalid },
      handler: ({ body }) => control.validateWorkflow(body),
    }),
    route({
      method: "GET",
      url: "/v1/workflows/examples",
      operationId: "listWorkflowExamples",
      summary: "The shipped example workflows, runnable by name",
      tag: "workflows",
      scope: "read",
      responses: { 200: { description: "the examples", schema: z.object({ examples: z.array(example) }) } },
      handler: async () => ({ examples: await control.examples() }),
    }),
    route({
      method: "POST",
      url: "/v1/workflows/runs",
      operationId: "runWorkflow",
      summary: "Start a workflow execution",
      description: "A shipped example by name, or a posted document (YAML text or an object), with params.",
      tag: "workflows",
      scope: "submit",
      mutation: true,
      body: runBody,
      responses: { 201: { description: "started", schema: executionState }, ...invalid, 404: { description: "no such example" } },
      async handler({ body }) {
        const { params, ...source } = body;
        const state = await control.runWorkflow(source, params);
        return new Answer(201, state, { location: `/v1/workflows/runs/${state.id}` });
      },
    }),
    route({
      method: "GET",
      url: "/v1/workflows/runs",
      operationId: "listWorkflowRuns",
      summary: "Workflow executions, newest first",
      tag: "workflows",
      scope: "read",
      responses: { 200: { description: "the executions", schema: z.object({ runs: z.array(executionSummary) }) } },
      handler: async () => ({ runs: await control.executions() }),
    }),
    route({
      method: "GET",
      url: "/v1/workflows/runs/:id",
      operationId: "getWorkflowRun",
      summary: "An execution's state and steps (long-poll with ?wait=)",
      tag: "workflows",
      scope: "read",
      params: executionParams,
      query: executionQuery,
      responses: { 200: { description: "the execution", schema: executionState }, 404: { description: "no such execution" } },
      handler: ({ params, query, reply }) => control.execution(params.id, query.wait, abortOnClose(reply)),
    }),
    route({
      method: "POST",
      url: "/v1/workflows/runs/:id/cancel",
      operationId: "cancelWorkflowRun",
      summary: "Cancel an execution and the tasks of its running steps",
      tag: "workflows",
      scope: "control",
      mutation: true,
      params: executionParams,
      body: reasonBody.optional(),
      responses: { 200: { description: "the execution", schema: executionState }, 404: { description: "no such execution" } },
      handler: ({ params, body }) => control.cancelExecution(params.id, body?.reason),
    }),
    route({
      method: "POST",
      url: "/v1/workflows/runs/:id/steps/:step/approve",
      operationId: "approveStep",
      summary: "Approve a step that waits for approval",
      tag: "workflows",
      scope: "control",
      mutation: true,
      params: stepParams,
      body: z.object({}).strict().optional(),
      responses: {
        200: { description: "the execution", schema: executionState },
        400: { description: "the step is not waiting for approval" },
        404: { description: "no such execution" },
      },
      handler: ({ params }) => control.approve(params.id, params.step),
    }),
    route({
      method: "POST",
      url: "/v1/workflows/runs/:id/steps/:step/reject",
      operationId: "rejectStep",
      summary: "Reject a step that waits for approval (it fails; its on_failure applies)",
      tag: "workflows",
      scope: "control",
      mutation: true,
      params: stepParams,
      body: reasonBody.optional(),
      responses: {
        200: { description: "the execution", schema: executionState },
        400: { description: "the step is not waiting for approval" },
        404: { description: "no such execution" },
      },
      handler: ({ params, body }) => control.reject(params.id, params.step, body?.reason),
    }),
  ];
}

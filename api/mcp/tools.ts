/**
 * The MCP tools: one agent drives the swarm. Each tool is a thin call on a
 * ControlPlane (the swarm's own client in the daemon or `claude-agent mcp`,
 * or the HTTP API with `--url`), with a JSON-schema input built from zod and
 * its answer as JSON text. A tool exists only for a caller whose scopes allow it.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod/v4";
import type { ControlPlane } from "../control/types.js";
import type { Scope } from "../http/route.js";
import { labelsProblem } from "../http/labels-problem.js";
import { agentName, executionId, label, stepId, taskId } from "../schemas/common.js";
import { idempotencyKey, MAX_TASK_CHARS, TASK_STATUSES } from "../schemas/tasks.js";

export interface ToolContext {
  readonly control: ControlPlane;
  readonly scopes: readonly Scope[];
  /** Records a tool call that changed the swarm (the audit trail). */
  readonly audit?: (action: string, target: string | undefined) => void;
}

type Handler<A> = (args: A) => Promise<unknown>;

export function registerTools(server: McpServer, context: ToolContext): string[] {
  const names: string[] = [];
  const tool = <S extends z.ZodRawShape>(
    name: string,
    scope: Scope,
    description: string,
    shape: S,
    handler: Handler<z.infer<z.ZodObject<S>>>,
    mutation = false,
  ) => {
    if (!context.scopes.includes(scope)) return;
    names.push(name);
    server.registerTool(
      name,
      { description, inputSchema: shape, annotations: { readOnlyHint: !mutation, destructiveHint: false, openWorldHint: false } },
      (async (args: z.infer<z.ZodObject<S>>) => {
        try {
          const result = await handler(args);
          if (mutation) context.audit?.(name, targetOf(args, result));
          return { content: [{ type: "text" as const, text: JSON.stringify(result, null, 2) }] };
        } catch (error) {
          // Unroutable needs: the message lists each agent's labels, so the caller can pick what exists.
          const message = labelsProblem(error)?.detail ?? (error as Error).message;
          return { isError: true, content: [{ type: "text" as const, text: `error: ${message}` }] };
        }
      }) as never,
    );
  };
  const { control } = context;

  tool(
    "submit_task",
    "submit",
    "Queue a task for an agent of the swarm and return its id at once (use wait_task for the result). For a shell agent the task is a bash command line run in the agent's folder; for a coding-agent program (claude, codex, …) it is the prompt. Without `agent`, the swarm routes it by keywords (among the agents having every label of `needs`, when given). Pass an idempotency_key to make retries safe: the same key returns the same task.",
    {
      task: z.string().min(1).max(MAX_TASK_CHARS).describe("the command line or prompt"),
      agent: agentName.optional().describe("the agent that runs it (list_agents shows them)"),
      needs: z
        .array(label)
        .min(1)
        .max(32)
        .optional()
        .describe('labels the agent must have, e.g. ["gpu"]; only an agent whose labels include all of them runs it'),
      timeout: z.number().int().positive().optional().describe("time limit in seconds"),
      priority: z.number().int().min(1).optional().describe("1 is the most urgent"),
      fresh: z.boolean().optional().describe("agent programs: start a new conversation"),
      idempotency_key: idempotencyKey.optional(),
    },
    async ({ idempotency_key, ...body }) => control.submit(body, idempotency_key),
    true,
  );
  tool(
    "wait_task",
    "read",
    "Wait until a task ends (completed, failed, timeout, cancelled or rejected) or the time runs out, and return it: status, exitCode, output (stdout and stderr), answer for agent programs. If it is still running when the time is up, call again.",
    {
      id: taskId.describe("the task id submit_task returned"),
      timeout_seconds: z.number().int().min(1).max(600).default(60).describe("how long to wait, at most 600"),
    },
    async ({ id, timeout_seconds }) => control.task(id, timeout_seconds),
  );
  tool("get_task", "read", "A task as it is now: status, exitCode, output, answer, timing.", { id: taskId }, async ({ id }) => control.task(id));
  tool(
    "cancel_task",
    "control",
    "Cancel a task: removed from its queue if waiting, interrupted with Ctrl-C if running. It ends `cancelled`.",
    { id: taskId },
    async ({ id }) => control.cancelTask(id),
    true,
  );
  tool(
    "retry_task",
    "submit",
    "Run an ended task (failed, timed out, cancelled) again: a new task with the same agent, text and options. Returns the new task's id; asked twice for one task, the first retry's.",
    { id: taskId },
    async ({ id }) => control.retryTask(id),
    true,
  );
  tool(
    "list_agents",
    "read",
    "The swarm's agents: runtime, replicas, each session's state (idle, busy, down) and current task, queue depths, and whether the agent is paused, parked by a rate limit or held by its breaker.",
    {},
    async () => {
      const status = await control.status();
      return status.agents.map((a) => ({
        name: a.name,
        runtime: a.runtime,
        replicas: a.replicas,
        paused: a.paused,
        parkedUntil: a.parkedUntil,
        ...(a.parkedHosts ? { parkedHosts: a.parkedHosts } : {}),
        breaker: a.breaker,
        queue: a.queue,
        sessions: a.sessions.map((s) => ({ name: s.name, state: s.state, currentTask: s.currentTask, ...(s.host ? { host: s.host } : {}) })),
      }));
    },
  );
  tool(
    "list_tasks",
    "read",
    "Tasks newest first, optionally of one agent or status; pass nextCursor back as cursor for the next page.",
    {
      agent: agentName.optional(),
      status: z.enum(TASK_STATUSES).optional(),
      limit: z.number().int().min(1).max(100).default(20),
      cursor: z.string().max(200).optional(),
    },
    async (args) => control.listTasks(args),
  );
  tool(
    "run_workflow",
    "submit",
    "Start a workflow execution (a DAG of agent tasks): a shipped example by name (e.g. deploy-app), or a workflow given as YAML text. Returns the execution; follow it with get_workflow_run.",
    {
      example: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
        .optional()
        .describe("a shipped example's name"),
      yaml: z
        .string()
        .min(1)
        .max(512 * 1024)
        .optional()
        .describe("the workflow as YAML"),
      params: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
        .optional()
        .describe("workflow params"),
    },
    async ({ params, ...source }) => control.runWorkflow(source, params),
    true,
  );
  tool(
    "get_workflow_run",
    "read",
    "A workflow execution: its status and each step's status, task, exit code and output. With wait_seconds, waits for it to end first (at most that long).",
    { id: executionId, wait_seconds: z.number().int().min(0).max(600).optional() },
    async ({ id, wait_seconds }) => control.execution(id, wait_seconds),
  );
  tool(
    "approve",
    "control",
    "Approve a workflow step that is waiting for approval; the execution goes on.",
    { execution_id: executionId, step: stepId },
    async ({ execution_id, step }) => control.approve(execution_id, step),
    true,
  );
  tool(
    "reject",
    "control",
    "Reject a workflow step that is waiting for approval: it fails and its on_failure policy applies.",
    { execution_id: executionId, step: stepId, reason: z.string().max(2000).optional() },
    async ({ execution_id, step, reason }) => control.reject(execution_id, step, reason),
    true,
  );
  return names;
}

function targetOf(args: unknown, result: unknown): string | undefined {
  const a = args as { id?: string; execution_id?: string };
  const r = result as { id?: string } | null;
  return a.id ?? a.execution_id ?? r?.id;
}

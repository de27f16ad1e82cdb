/**
 * The SDK's remote mode: the swarm over its HTTP API, with no Redis access.
 * Light on purpose (fetch only): `import { connect } from "claude-agent"`
 * loads none of the server.
 */
import type { TaskResult } from "../../core/index.js";
import type { ControlPlane, ExecutionView, StatusView, Submitted, TaskView } from "../control/types.js";
import type { SubmitBody } from "../schemas/tasks.js";
import { RemoteControl, type RemoteOptions } from "./client.js";

export { RemoteControl, AccessError, type RemoteOptions } from "./client.js";

export interface RemoteTaskHandle extends Submitted {
  /** Resolves when the task ends (long-polls the API, 60 s at a time). */
  result(options?: { signal?: AbortSignal }): Promise<TaskResult>;
  cancel(): Promise<void>;
}

export interface RemoteWorkflowRun {
  readonly id: string;
  readonly workflow: string;
  result(options?: { signal?: AbortSignal }): Promise<ExecutionView>;
  state(): Promise<ExecutionView>;
  cancel(reason?: string): Promise<ExecutionView>;
}

/** What `connect({ url, token })` returns: the local Swarm's everyday methods, over HTTP. */
export interface RemoteSwarm {
  readonly url: string;
  readonly control: ControlPlane;
  submit(options: SubmitBody & { idempotencyKey?: string }): Promise<RemoteTaskHandle>;
  task(id: string): RemoteTaskHandle;
  result(id: string, options?: { wait?: boolean; signal?: AbortSignal }): Promise<TaskResult>;
  status(): Promise<StatusView>;
  runWorkflow(
    source: { example?: string; yaml?: string; document?: Record<string, unknown> },
    params?: Readonly<Record<string, string | number | boolean>>,
  ): Promise<RemoteWorkflowRun>;
  execution(id: string): RemoteWorkflowRun;
  approve(executionId: string, step: string): Promise<ExecutionView>;
  reject(executionId: string, step: string, reason?: string): Promise<ExecutionView>;
  close(): Promise<void>;
}

const POLL_SEC = 60;

export async function connectRemote(options: RemoteOptions): Promise<RemoteSwarm> {
  const control = new RemoteControl(options);
  await control.status(); // fails now, clearly, on a wrong URL or token
  const waitFor = async (id: string, signal?: AbortSignal): Promise<TaskResult> => {
    for (;;) {
      signal?.throwIfAborted();
      const view = await control.task(id, POLL_SEC, signal);
      if (view.status !== "queued" && view.status !== "running") return toResult(view);
    }
  };
  const handle = (submitted: Submitted): RemoteTaskHandle => ({
    ...submitted,
    result: (opts = {}) => waitFor(submitted.id, opts.signal),
    cancel: async () => void (await control.cancelTask(submitted.id)),
  });
  const run = (id: string, workflow: string): RemoteWorkflowRun => ({
    id,
    workflow,
    async result(opts = {}) {
      for (;;) {
        opts.signal?.throwIfAborted();
        const state = await control.execution(id, POLL_SEC, opts.signal);
        if (state.status !== "running") return state;
      }
    },
    state: () => control.execution(id),
    cancel: (reason) => control.cancelExecution(id, reason),
  });
  return {
    url: options.url,
    control,
    submit: async ({ idempotencyKey, ...body }) => handle(await control.submit(body, idempotencyKey)),
    task: (id) => handle({ id, agent: "", routedBy: "", created: false }),
    result: async (id, opts = {}) => (opts.wait ? waitFor(id, opts.signal) : toResult(await control.task(id))),
    status: () => control.status(),
    runWorkflow: async (source, params) => {
      const state = await control.runWorkflow(source, params);
      return run(state.id, state.workflow);
    },
    execution: (id) => run(id, ""),
    approve: (id, step) => control.approve(id, step),
    reject: (id, step, reason) => control.reject(id, step, reason),
    close: async () => undefined,
  };
}

function toResult(view: TaskView): TaskResult {
  const { task: _task, routedBy: _routedBy, priority: _priority, ...result } = view;
  return result as TaskResult;
}

import { resolve } from "node:path";
import type { Swarm } from "../client/index.js";
import { WorkflowClient } from "./client.js";
import { InboxClient } from "./inbox-client.js";
import type { ExecutionState } from "./types.js";

export type ParamValue = string | number | boolean;

/** One execution, as the SDK hands it out. */
export interface WorkflowRun {
  readonly id: string;
  readonly workflow: string;
  /** Resolves with the final state once the execution ends (completed, failed or cancelled). */
  result(options?: { signal?: AbortSignal }): Promise<ExecutionState>;
  /** The state now. */
  state(): Promise<ExecutionState>;
  cancel(reason?: string): Promise<ExecutionState>;
}

/** The supervisor's Swarm, plus workflows. */
export interface WorkflowSwarm extends Swarm {
  readonly workflows: WorkflowClient;
  /** Everything waiting for a person: list, read and answer items (`answer(id, { word: "approve", by })`). */
  readonly inbox: InboxClient;
  /**
   * Validates a workflow (a file path, or an object shaped like the YAML) against
   * the swarm's agents and asks the swarm's daemon to run it. Resolves once the
   * execution is recorded; `result()` waits for its end.
   */
  runWorkflow(source: string | object, params?: Readonly<Record<string, ParamValue>>): Promise<WorkflowRun>;
  /** A handle on an existing execution. */
  execution(id: string): WorkflowRun;
  approve(executionId: string, step: string): Promise<ExecutionState>;
  reject(executionId: string, step: string, reason?: string): Promise<ExecutionState>;
}

export function withWorkflows(swarm: Swarm): WorkflowSwarm {
  const workflows = new WorkflowClient(swarm.client);
  const inbox = new InboxClient(swarm.client, workflows);
  const handle = (id: string, workflow: string): WorkflowRun => ({
    id,
    workflow,
    result: (options = {}) => workflows.wait(id, options),
    state: () => workflows.get(id),
    cancel: (reason) => workflows.cancel(id, reason),
  });
  return {
    ...swarm,
    workflows,
    inbox,
    async runWorkflow(source, params = {}) {
      const workflow = typeof source === "string" ? workflows.load(resolve(source)) : workflows.fromObject(source);
      const given = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, String(value)]));
      const state = await workflows.start(workflow, given);
      return handle(state.id, state.workflow);
    },
    execution: (id) => handle(id, ""),
    approve: (id, step) => workflows.approve(id, step),
    reject: (id, step, reason) => workflows.reject(id, step, reason),
    async close() {
      await workflows.close();
      await swarm.close();
    },
  };
}

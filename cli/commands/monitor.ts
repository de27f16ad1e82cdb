import { NotFoundError, redactValues, terminalLine } from "../../core/index.js";
import type { ExecutionState } from "../../workflows/index.js";
import type { GlobalOptions } from "../context.js";
import { printError } from "../output.js";
import { exitCodeOf } from "./execution-table.js";
import { JsonView, progressView, type View } from "./execution-views.js";
import { withWorkflows } from "./workflow.js";

export interface MonitorOptions extends GlobalOptions {
  executionId?: string;
  json?: boolean;
}

/** Without an id, monitor follows the execution started last (a person's "the one I just ran"). */
async function latestExecution(workflows: { list(): Promise<ExecutionState[]> }): Promise<string> {
  const latest = (await workflows.list())[0];
  if (!latest) throw new NotFoundError("no workflow executions yet", { hint: "Start one: claude-agent workflow run --file FILE." });
  printError(`monitoring the latest execution: ${latest.id} (${terminalLine(latest.workflow)})\n`);
  return latest.id;
}

/**
 * Follows one execution until it ends: on a terminal, its step table redrawn in
 * place (ANSI cursor movement); otherwise one plain line per change; with --json,
 * one JSON object per change. Exit 0 when it completed, 1 when it failed or was
 * cancelled, 130 when interrupted.
 */
export async function monitor(positional: string | undefined, options: MonitorOptions): Promise<number> {
  const given = options.executionId ?? positional;
  const view: View = options.json ? new JsonView() : progressView(process.stdout);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await withWorkflows(options, async (workflows) => {
      const id = given ?? (await latestExecution(workflows));
      let last: ExecutionState | null = null;
      for await (const raw of workflows.watch(id, stop.signal)) {
        const state = redactValues(raw);
        view.show(state);
        last = state;
      }
      if (last !== null && !stop.signal.aborted) view.end(last);
      return stop.signal.aborted ? 130 : last === null ? 1 : exitCodeOf(last);
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

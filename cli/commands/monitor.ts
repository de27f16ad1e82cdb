import { NotFoundError, redactValues, terminalLine } from "../../core/index.js";
import type { ExecutionState, StepState } from "../../workflows/index.js";
import type { GlobalOptions } from "../context.js";
import { print, printControlled, printError, printJsonLine } from "../output.js";
import { describeExecution, exitCodeOf, withWorkflows } from "./workflow.js";

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
export async function monitor(positional: string | undefined, options: MonitorOptions): Promise<void> {
  const given = options.executionId ?? positional;
  const out = process.stdout;
  const view: View = options.json ? new JsonView() : out.isTTY ? new LiveView() : new PlainView();
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await withWorkflows(options, async (workflows) => {
      const id = given ?? (await latestExecution(workflows));
      let last: ExecutionState | null = null;
      for await (const raw of workflows.watch(id, stop.signal)) {
        const state = redactValues(raw);
        view.show(state);
        last = state;
      }
      if (last !== null && !stop.signal.aborted) view.end(last);
      process.exitCode = stop.signal.aborted ? 130 : last === null ? 1 : exitCodeOf(last);
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

interface View {
  show(state: ExecutionState): void;
  end(state: ExecutionState): void;
}

/** Redraws the table where it was: cursor up over the last drawing, each line cleared, the rest below erased. */
class LiveView implements View {
  private drawn = 0;

  show(state: ExecutionState): void {
    const width = Math.max(20, (process.stdout.columns || 120) - 1);
    // A line wider than the terminal wraps and would throw the cursor arithmetic off: cut it.
    const lines = describeExecution(state)
      .map(terminalLine)
      .map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A\r` : "";
    printControlled({ before: up, line: "\x1b[2K", after: "\x1b[J" }, lines);
    this.drawn = lines.length;
  }

  end(): void {}
}

/** What changed in a step, as far as someone reading a log cares. */
function stepKey(st: StepState): string {
  return [st.status, st.attempts, st.retryAt ?? "", st.gate?.status ?? "", st.rollback?.status ?? ""].join("|");
}

function changedSteps(state: ExecutionState, seen: Map<string, string>): Array<[string, StepState]> {
  const changed: Array<[string, StepState]> = [];
  for (const step of state.definition.steps) {
    const st = state.steps[step.id];
    if (st === undefined) continue;
    const key = stepKey(st);
    if (seen.get(step.id) === key) continue;
    const first = !seen.has(step.id);
    seen.set(step.id, key);
    if (!(first && st.status === "pending")) changed.push([step.id, st]);
  }
  return changed;
}

class PlainView implements View {
  private readonly seen = new Map<string, string>();

  show(state: ExecutionState): void {
    if (this.seen.size === 0) this.line(`execution ${state.id}: workflow ${state.workflow}, ${state.definition.steps.length} steps, ${state.status}`);
    for (const [id, st] of changedSteps(state, this.seen)) {
      const phase = st.retryAt !== null ? "retrying" : st.gate?.status === "running" ? "gate running" : st.status;
      const parts = [
        st.agent !== null ? `agent ${st.agent}` : null,
        st.taskId !== null ? `task ${st.taskId}` : null,
        st.attempts > 1 ? `attempt ${st.attempts}` : null,
        st.exitCode !== null && st.status !== "running" ? `exit ${st.exitCode}` : null,
        st.rollback !== null ? `rollback ${st.rollback.status}` : null,
        st.status === "waiting-approval" ? `approve: claude-agent answer ${st.inbox ?? "ITEM"} approve (or claude-agent approve ${state.id} ${id})` : null,
        st.status === "waiting-input" ? `answer: claude-agent answer ${st.inbox ?? "ITEM"} (claude-agent inbox shows the questions)` : null,
        st.reason !== null && st.status !== "completed" && st.status !== "running" ? st.reason : null,
      ].filter((part): part is string => part !== null);
      this.line(`step ${id}: ${phase}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`);
    }
  }

  end(state: ExecutionState): void {
    this.line(`execution ${state.id}: ${state.status}${state.reason !== null ? ` (${state.reason})` : ""}`);
  }

  private line(text: string): void {
    print(`${new Date().toISOString().slice(11, 23)}  ${terminalLine(text)}\n`);
  }
}

class JsonView implements View {
  private readonly seen = new Map<string, string>();

  show(state: ExecutionState): void {
    if (this.seen.size === 0) this.write({ type: "execution", ...this.execution(state) });
    for (const [step, st] of changedSteps(state, this.seen)) {
      const { status, attempts, agent, taskId, exitCode, reason, retryAt } = st;
      this.write({
        type: "step",
        executionId: state.id,
        step,
        status,
        attempts,
        agent,
        taskId,
        exitCode,
        reason,
        retryAt,
        gate: st.gate?.status ?? null,
        rollback: st.rollback?.status ?? null,
      });
    }
  }

  end(state: ExecutionState): void {
    this.write({ type: "execution", ...this.execution(state) });
  }

  private execution(state: ExecutionState) {
    return {
      executionId: state.id,
      workflow: state.workflow,
      status: state.status,
      reason: state.reason,
      createdAt: state.createdAt,
      finishedAt: state.finishedAt,
    };
  }

  private write(value: Record<string, unknown>): void {
    printJsonLine({ at: new Date().toISOString(), ...value });
  }
}

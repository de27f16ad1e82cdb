import { terminalLine, terminalText } from "../../core/index.js";
import type { ExecutionState, StepState } from "../../workflows/index.js";
import { printControlled, printJsonLine } from "../output.js";
import { describeExecution } from "./execution-table.js";

/** How a followed workflow execution is shown (`monitor`, and `workflow run --wait` while it waits). */

export interface View {
  show(state: ExecutionState): void;
  end(state: ExecutionState): void;
  /** Something else was written after the last drawing (a prompt): draw the next one below it, not over it. */
  below(): void;
}

/** An execution's progress for a person on `stream`: the step table redrawn in place on a terminal, else one line per change. */
export function progressView(stream: NodeJS.WriteStream): View {
  return stream.isTTY ? new LiveView(stream) : new PlainView(stream);
}

/** Redraws the table where it was: cursor up over the last drawing, each line cleared, the rest below erased. */
class LiveView implements View {
  constructor(private readonly stream: NodeJS.WriteStream) {}

  private drawn = 0;

  show(state: ExecutionState): void {
    const width = Math.max(20, (this.stream.columns || 120) - 1);
    // A line wider than the terminal wraps and would throw the cursor arithmetic off: cut it.
    const lines = describeExecution(state)
      .map(terminalLine)
      .map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A\r` : "";
    printControlled({ before: up, line: "\x1b[2K", after: "\x1b[J" }, lines, this.stream);
    this.drawn = lines.length;
  }

  end(): void {}

  below(): void {
    this.drawn = 0;
  }
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

  constructor(private readonly stream: NodeJS.WriteStream) {}

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

  below(): void {}

  end(state: ExecutionState): void {
    this.line(`execution ${state.id}: ${state.status}${state.reason !== null ? ` (${state.reason})` : ""}`);
  }

  private line(text: string): void {
    this.stream.write(terminalText(`${new Date().toISOString().slice(11, 23)}  ${terminalLine(text)}\n`));
  }
}

export class JsonView implements View {
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

  below(): void {}

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

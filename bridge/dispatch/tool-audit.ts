import type { EventStream, Redactor, TaskRecord } from "../../core/index.js";
import type { ToolCall } from "../../agents/index.js";

/**
 * The tools a program agent's task called, as one `audit` event (action
 * `tool-calls`) whose actor is the agent: the history writer turns it into one
 * audit entry per call (history/store/audit.ts), so `claude-agent audit`
 * shows what every agent ran, in which task. One event per task, not one per
 * call: a task of 200 calls must not flood the stream that live clients read.
 * The details are redacted with the swarm's secrets before they leave.
 */
export async function publishToolCalls(
  events: EventStream,
  redact: Redactor,
  record: Pick<TaskRecord, "id" | "agent">,
  session: string | null,
  calls: readonly ToolCall[],
  dropped: number,
): Promise<void> {
  const clean = calls.map((call) => ({ tool: call.tool, detail: redact(call.detail) }));
  await events.publish("audit", {
    actor: `agent:${record.agent}`,
    via: "agent",
    action: "tool-calls",
    target: record.id,
    agent: record.agent,
    session: session ?? undefined,
    calls: JSON.stringify(clean),
    ...(dropped > 0 ? { dropped: String(dropped) } : {}),
  });
}

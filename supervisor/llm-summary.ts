/**
 * A short summary of a task's result by the supervisor's model: what was
 * asked, what happened, what came out. It reads the stored (already
 * redacted) record, never the pane, and sends at most the first and last few
 * KB of the output.
 */
import { EnvironmentError, UsageError, type SwarmConfig, type TaskRecord } from "../core/index.js";
import { chatModel, shortError, supervisorLlm } from "./llm-model.js";

export const SUMMARY_TIMEOUT_SEC = 60;
const EDGE_CHARS = 6_000;

export interface SummaryOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly timeoutSec?: number;
}

export async function summarizeTask(record: TaskRecord, config: SwarmConfig, options: SummaryOptions = {}): Promise<string> {
  const model = chatModel(supervisorLlm(config), options.env);
  const timeoutSec = options.timeoutSec ?? SUMMARY_TIMEOUT_SEC;
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutSec * 1000), ...(options.signal ? [options.signal] : [])]);
  try {
    const reply = await model.invoke(
      [
        {
          role: "system",
          content:
            "You summarise the result of a task a coding agent ran. In two to four plain sentences say what was asked, what the agent did and how it ended (including any failure and its cause). No preamble, no lists.",
        },
        { role: "user", content: describeRecord(record) },
      ],
      { signal },
    );
    const text = reply.text.trim();
    if (text === "") throw new Error("the model answered with an empty summary");
    return text;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new EnvironmentError(`could not summarise task ${record.id}: ${shortError(error, timeoutSec)}`, {
      cause: error,
      hint: "`claude-agent doctor` checks the supervisor's model endpoint.",
      context: { taskId: record.id },
    });
  }
}

function describeRecord(record: TaskRecord): string {
  const facts = [
    `Task (agent ${record.agent}): ${edges(record.task)}`,
    `Status: ${record.status}${record.exitCode === null ? "" : `, exit code ${record.exitCode}`}${record.durationMs === null ? "" : `, ${(record.durationMs / 1000).toFixed(1)} s`}`,
    ...(record.reason ? [`Reason: ${record.reason}`] : []),
    ...(record.answer ? [`The agent's answer:\n${edges(record.answer)}`] : []),
    `Output:\n${edges(record.output) || "(none)"}`,
  ];
  return facts.join("\n\n");
}

function edges(text: string): string {
  if (text.length <= EDGE_CHARS * 2) return text;
  return `${text.slice(0, EDGE_CHARS)}\n… [${text.length - EDGE_CHARS * 2} characters omitted] …\n${text.slice(-EDGE_CHARS)}`;
}

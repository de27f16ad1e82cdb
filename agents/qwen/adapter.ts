/**
 * Qwen Code, headless: `qwen -o stream-json` (Claude Code's event format),
 * the prompt on stdin, `--resume <session id>`. Settings and sessions live in
 * the agent's own QWEN_HOME. An OpenAI-compatible endpoint is chosen with
 * `args` (`--auth-type openai --openai-base-url … --openai-api-key …`) or the
 * OPENAI_* variables in `env`. Tools that change files need
 * `--approval-mode auto-edit` or `yolo`.
 */
import type { AgentJob, AgentOutcome, AgentRuntime, ScriptPaths } from "../runtime.js";
import { option, pipeline } from "../script.js";
import { isLimitMessage } from "../events.js";
import { parseStreamJson, renderStreamJson } from "../stream-json.js";

/** qwen 0.15 reports a failed API call as a successful result whose text is `[API Error: …]`. */
const API_ERROR = /^\[API Error: ([\s\S]*)\]$/;

export function parseQwenEvents(text: string): AgentOutcome {
  const outcome = parseStreamJson(text);
  const failure = API_ERROR.exec(outcome.answer.trim());
  if (failure && !outcome.isError) {
    outcome.isError = true;
    outcome.errorMessage = `API Error: ${failure[1]}`;
    if (isLimitMessage(outcome.errorMessage)) outcome.rateLimited = true;
  }
  return outcome;
}

export const qwenRuntime: AgentRuntime = {
  name: "qwen",
  defaultMode: "headless",
  structured: true,
  buildScript(job: AgentJob, paths: ScriptPaths): string {
    const argv = [
      job.command ?? "qwen",
      "--output-format", "stream-json",
      ...option("--model", job.model),
      ...option("--resume", job.fresh ? null : job.resumeId),
      ...job.args,
    ];
    return pipeline({ runtime: "qwen", argv, env: { QWEN_HOME: paths.configDir }, prompt: "stdin" }, job, paths);
  },
  parseEvents: parseQwenEvents,
  renderEvent: renderStreamJson,
};

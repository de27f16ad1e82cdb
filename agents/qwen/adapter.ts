/**
 * Qwen Code, headless: `qwen -o stream-json` (Claude Code's event format),
 * the prompt on stdin, `--resume <session id>`. Settings and sessions live in
 * the agent's own QWEN_HOME. An OpenAI-compatible endpoint is chosen with
 * `args` (`--auth-type openai --openai-base-url … --openai-api-key …`) or the
 * OPENAI_* variables in `env`. Tools that change files need
 * `--approval-mode auto-edit` or `yolo`. An agent's `policy:` binds its shell
 * tool through a PreToolUse hook (policy-hook.ts).
 */
import type { AgentJob, AgentOutcome, AgentRuntime, ScriptPaths } from "../runtime.js";
import { option, pipeline, type FileArgument } from "../script.js";
import { isLimitMessage, isObject, jsonLines, str } from "../events.js";
import { parseStreamJson, renderStreamJson } from "../stream-json.js";
import { qwenPolicySettings } from "./policy-hook.js";

/**
 * A failed API call: qwen 0.15 reports it as a successful result whose text
 * is `[API Error: …]` (and exits 0); qwen 0.24 as `subtype:
 * "error_during_execution"` with the same text in `error.message` and no
 * `result` (and exits 1).
 */
const API_ERROR = /^\[API Error: ([\s\S]*)\]$/;

export function parseQwenEvents(text: string): AgentOutcome {
  const outcome = parseStreamJson(text);
  const reported = resultError(text);
  const failure = API_ERROR.exec((reported ?? outcome.answer).trim());
  if (failure) {
    outcome.isError = true;
    outcome.errorMessage = `API Error: ${failure[1]}`;
  } else if (reported && outcome.isError) outcome.errorMessage = reported;
  if (outcome.isError && isLimitMessage(outcome.errorMessage ?? "")) outcome.rateLimited = true;
  return outcome;
}

/** `error.message` of the last result event (qwen 0.24), if any. */
function resultError(text: string): string | null {
  const result = jsonLines(text)
    .events.filter((event) => event.type === "result")
    .at(-1);
  return result && isObject(result.error) ? (str(result.error.message) ?? null) : null;
}

export const qwenRuntime: AgentRuntime = {
  name: "qwen",
  defaultMode: "headless",
  structured: true,
  buildScript(job: AgentJob, paths: ScriptPaths): string {
    // Qwen Code (0.15 and 0.24) takes the role only as text: read from the role file when the script runs,
    // in one `--flag=value` word, since yargs would take a role starting with "-" for an option.
    const role: FileArgument[] = job.roleFile ? [{ prefix: "--append-system-prompt=", file: job.roleFile }] : [];
    const argv = [
      job.command ?? "qwen",
      "--output-format",
      "stream-json",
      ...option("--model", job.model),
      ...option("--resume", job.fresh ? null : job.resumeId),
      ...role,
      ...job.args,
    ];
    // With a policy, its hook comes from a system settings file of ours (policy-hook.ts).
    const env = { QWEN_HOME: paths.configDir, ...(job.policyFile ? { QWEN_CODE_SYSTEM_SETTINGS_PATH: job.policyFile } : {}) };
    return pipeline({ runtime: "qwen", argv, env, prompt: "stdin" }, job, paths);
  },
  policySettings: qwenPolicySettings,
  parseEvents: parseQwenEvents,
  renderEvent: renderStreamJson,
};

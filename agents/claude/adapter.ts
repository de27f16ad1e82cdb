/**
 * Claude Code, headless: `claude -p --output-format stream-json --verbose`,
 * the prompt on stdin, `--resume <session id>` to continue the agent's
 * conversation. Its settings and transcripts live in the agent's own
 * CLAUDE_CONFIG_DIR. `--dangerously-skip-permissions` is refused as root:
 * grant tools with `args` (`--permission-mode acceptEdits`, `--allowedTools …`).
 */
import type { AgentJob, AgentRuntime, ScriptPaths } from "../runtime.js";
import { option, pipeline } from "../script.js";
import { parseStreamJson, renderStreamJson } from "../stream-json.js";
import { permissionModeArgs } from "./permission-mode.js";
import { policySettingsArgs } from "./policy-settings.js";

export const claudeRuntime: AgentRuntime = {
  name: "claude",
  defaultMode: "headless",
  structured: true,
  buildScript(job: AgentJob, paths: ScriptPaths): string {
    const argv = [
      job.command ?? "claude",
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      ...option("--model", job.model),
      ...option("--resume", job.fresh ? null : job.resumeId),
      // The role, appended to Claude Code's own system prompt (the file is read by the program, not the shell).
      ...option("--append-system-prompt-file", job.roleFile),
      // The agent's command policy, checked by a PreToolUse hook before each Bash tool call.
      ...policySettingsArgs(job.policy, paths.node, job.askChannel),
      ...permissionModeArgs(job.args),
      ...job.args,
    ];
    return pipeline({ runtime: "claude", argv, env: { CLAUDE_CONFIG_DIR: paths.configDir }, prompt: "stdin" }, job, paths);
  },
  parseEvents: parseStreamJson,
  renderEvent: renderStreamJson,
};

/**
 * A Qwen Code agent's `policy:`: a PreToolUse hook on its shell tool
 * (agents/policy-hook/), in a system settings file of its own
 * (QWEN_CODE_SYSTEM_SETTINGS_PATH) that the bridge writes next to the
 * dispatch and the sandbox shows read-only (job.policyFile). System settings
 * outrank user and project settings, which live where the model's tools can
 * write: `disableAllHooks: false` here wins over a `true` there, and system
 * hooks are read whatever the folder's trust.
 */
import { policyHookCommand } from "../policy-hook/hook-command.js";
import type { AgentJob, ScriptPaths } from "../runtime.js";

/**
 * Qwen Code reads a command hook's timeout in seconds below 1000 and in
 * milliseconds from 1000 up (its older unit), so an hour is given in milliseconds.
 */
const MILLISECONDS_FROM = 1000;

export function qwenPolicySettings(job: AgentJob, paths: ScriptPaths): string | null {
  if (!job.policy) return null;
  const hook = policyHookCommand("qwen", job.policy, paths.node, job.askChannel);
  const timeout = hook.limitSec < MILLISECONDS_FROM ? hook.limitSec : hook.limitSec * 1000;
  const settings = {
    disableAllHooks: false,
    hooks: { PreToolUse: [{ matcher: "^run_shell_command$", hooks: [{ type: "command", command: hook.command, timeout }] }] },
  };
  return `${JSON.stringify(settings)}\n`;
}

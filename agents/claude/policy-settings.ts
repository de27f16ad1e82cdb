/**
 * `--settings <json>` for a Claude Code agent with a `policy:`: a PreToolUse
 * hook on the Bash tool (agents/policy-hook/) that checks each command the
 * model asks to run against the agent's policy. Given on the command line
 * rather than in the agent's settings.json, which lives in the config folder
 * the program (and so the model's tools) can write: settings from the flag
 * are not in any file the agent can edit.
 */
import type { PolicySettings } from "../../core/index.js";
import { policyHookCommand } from "../policy-hook/hook-command.js";

/** `askChannel`: the session's ask folder (agents/policy-hook/ask-channel.ts), used when the policy has `ask` rules. */
export function policySettingsArgs(policy: PolicySettings | null | undefined, node: string, askChannel?: string | null): string[] {
  if (!policy) return [];
  const hook = policyHookCommand("claude", policy, node, askChannel);
  // Claude Code's hook timeout is in seconds.
  const settings = { hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: hook.command, timeout: hook.limitSec }] }] } };
  return ["--settings", JSON.stringify(settings)];
}

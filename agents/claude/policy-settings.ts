/**
 * `--settings <json>` for a Claude Code agent with a `policy:`: a PreToolUse
 * hook on the Bash tool (policy-hook.ts) that checks each command the model
 * asks to run against the agent's policy. Given on the command line rather
 * than in the agent's settings.json, which lives in the config folder the
 * program (and so the model's tools) can write: settings from the flag are
 * not in any file the agent can edit. The policy travels base64-encoded in
 * the hook's command, which Claude Code runs through a shell.
 */
import { fileURLToPath } from "node:url";
import type { PolicySettings } from "../../core/index.js";
import { shellQuote } from "../script.js";

/** policy-hook.js next to this module (dist/agents/claude/ once built). */
export function policyHookPath(): string {
  return fileURLToPath(new URL("./policy-hook.js", import.meta.url));
}

export function policySettingsArgs(policy: PolicySettings | null | undefined, node: string): string[] {
  if (!policy) return [];
  const encoded = Buffer.from(JSON.stringify({ deny: policy.deny, allow: policy.allow })).toString("base64");
  const command = `${shellQuote(node)} ${shellQuote(policyHookPath())} ${encoded}`;
  const settings = { hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command, timeout: 60 }] }] } };
  return ["--settings", JSON.stringify(settings)];
}

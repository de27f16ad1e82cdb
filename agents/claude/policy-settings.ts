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
import { ASK_WAIT_SEC } from "./ask-channel.js";

/** A hook's time limit when it only checks (seconds). */
const CHECK_TIMEOUT_SEC = 60;

/** policy-hook.js next to this module (dist/agents/claude/ once built). */
export function policyHookPath(): string {
  return fileURLToPath(new URL("./policy-hook.js", import.meta.url));
}

/** The hook's command line (a shell runs it) and its time limit in seconds, for a program that runs PreToolUse hooks. */
export interface PolicyHookCommand {
  readonly command: string;
  readonly timeout: number;
}

/**
 * `askChannel`: the session's ask folder (ask-channel.ts), given when the policy has `ask` rules; the hook
 * then waits up to ASK_WAIT_SEC for a person, so the program's limit on it is a little longer.
 */
export function policyHookCommand(policy: PolicySettings | null | undefined, node: string, askChannel?: string | null): PolicyHookCommand | null {
  if (!policy) return null;
  const asks = (policy.ask ?? []).length > 0 && askChannel ? askChannel : null;
  const encoded = Buffer.from(JSON.stringify({ deny: policy.deny, ask: policy.ask ?? [], allow: policy.allow })).toString("base64");
  const words = [shellQuote(node), shellQuote(policyHookPath()), encoded, ...(asks ? [shellQuote(asks)] : [])];
  return { command: words.join(" "), timeout: asks ? ASK_WAIT_SEC + 60 : CHECK_TIMEOUT_SEC };
}

export function policySettingsArgs(policy: PolicySettings | null | undefined, node: string, askChannel?: string | null): string[] {
  const hook = policyHookCommand(policy, node, askChannel);
  if (!hook) return [];
  const settings = { hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", ...hook }] }] } };
  return ["--settings", JSON.stringify(settings)];
}

/**
 * A Gemini CLI agent's `policy:`: a BeforeTool hook on its shell tool
 * (agents/policy-hook/). Gemini CLI takes hooks only from settings files. Its
 * system settings file (GEMINI_CLI_SYSTEM_SETTINGS_PATH) would be out of the
 * model's reach, but gemini 0.61 reads it only when it and every folder above
 * it are owned by root and writable by no one else, which a swarm's home
 * rarely is. So the hook goes into the agent's user settings
 * (`<GEMINI_CLI_HOME>/.gemini/settings.json`), a file the program's tools can
 * write, and is put back before every start instead: the bridge writes this
 * dispatch's entry into a file the sandbox shows read-only (job.policyFile),
 * and prepare-settings.js, in the pane just before gemini starts, replaces
 * every entry of ours in the user settings with it. Gemini reads its hooks
 * once, at start. What a previous task may have left:
 *
 * - our entry removed or changed, `hooksConfig.enabled: false` in the user
 *   settings: undone here (the entry replaced, `enabled` set);
 * - `hooksConfig.disabled` naming the hook (a list merged from every
 *   settings file): each dispatch's hook has a new random name;
 * - `hooksConfig.enabled: false` in the project's `.gemini/settings.json`,
 *   which outranks user settings: gemini is not started (projectDisablesHooks).
 */
import { randomBytes } from "node:crypto";
import { isObject, type JsonObject } from "../events.js";
import { policyHookCommand } from "../policy-hook/hook-command.js";
import type { AgentJob, ScriptPaths } from "../runtime.js";

/** Our hooks' names start so; the rest is random per dispatch. */
const NAME_PREFIX = "claude-agent-policy-";

/** The settings fragment of one dispatch (job.policyFile's content), or null without a policy. */
export function geminiPolicySettings(job: AgentJob, paths: ScriptPaths): string | null {
  if (!job.policy) return null;
  const hook = policyHookCommand("gemini", job.policy, paths.node, job.askChannel);
  const entry = {
    matcher: "^run_shell_command$",
    // Gemini CLI's hook timeout is in milliseconds.
    hooks: [{ type: "command", name: NAME_PREFIX + randomBytes(8).toString("hex"), command: hook.command, timeout: hook.limitSec * 1000 }],
  };
  return `${JSON.stringify({ hooks: { BeforeTool: [entry] } })}\n`;
}

/** `settings` with every BeforeTool entry of ours replaced by the fragment's, and hooks on. Throws on a fragment not ours. */
export function withPolicyHook(settings: JsonObject, fragment: unknown): JsonObject {
  const ours = isObject(fragment) && isObject(fragment.hooks) && Array.isArray(fragment.hooks.BeforeTool) ? fragment.hooks.BeforeTool : null;
  if (ours === null || ours.length === 0 || !ours.every(isOurs)) throw new Error("the policy hook's settings file is not one of ours");
  const hooks: JsonObject = isObject(settings.hooks) ? { ...settings.hooks } : {};
  const theirs = Array.isArray(hooks.BeforeTool) ? hooks.BeforeTool.filter((entry) => !isOurs(entry)) : [];
  hooks.BeforeTool = [...theirs, ...ours];
  const hooksConfig: JsonObject = isObject(settings.hooksConfig) ? { ...settings.hooksConfig } : {};
  hooksConfig.enabled = true;
  return { ...settings, hooks, hooksConfig };
}

/** Whether a project settings file's text turns every hook off (or may: text we cannot read as JSON that mentions hooksConfig). */
export function projectDisablesHooks(text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return /hooksConfig/.test(text);
  }
  return isObject(parsed) && isObject(parsed.hooksConfig) && parsed.hooksConfig.enabled === false;
}

function isOurs(entry: unknown): boolean {
  return (
    isObject(entry) &&
    Array.isArray(entry.hooks) &&
    entry.hooks.some((hook) => isObject(hook) && typeof hook.name === "string" && hook.name.startsWith(NAME_PREFIX))
  );
}

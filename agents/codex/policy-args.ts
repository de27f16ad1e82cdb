/**
 * `codex exec` words that make an agent's `policy:` bind Codex's shell tool:
 * our hook program (agents/policy-hook/hook.ts) as a Codex PreToolUse hook. Codex (0.171) sends a shell call as
 * `{"tool_name":"Bash","tool_input":{"command":"…"}}` on the hook's stdin, the
 * same shape as Claude Code, and refuses the call when the hook exits 2,
 * handing the model our stderr ("Command blocked by PreToolUse hook: …").
 *
 * Everything is on the command line, none of it in a file of the agent's
 * CODEX_HOME (the program and its commands can write there):
 * - `-c hooks={…}`: the hook, in the session-flags layer of Codex's config;
 * - `--dangerously-bypass-hook-trust`: Codex runs a hook from a config layer
 *   only once a person trusted it (its hash in `[hooks.state]` of the user's
 *   config.toml), so without this flag it silently skips ours in `codex exec`;
 * - `--enable hooks` and `state.<our hook's key>.enabled = true`: the
 *   session-flags layer wins over the config.toml the agent can write, so a
 *   `features.hooks = false` or a state that disables our hook's key
 *   written there does not switch the policy off.
 * A hook that fails, or outlives its time limit, lets the call run (Codex
 * fails open): our hook refuses whatever it cannot decide, and its limit is
 * longer than an ask's wait.
 */
import type { PolicySettings } from "../../core/index.js";
import { policyHookCommand } from "../policy-hook/hook-command.js";

/** Codex's key of the first handler of the first PreToolUse group in the `-c` layer (its hooks.state keys: `<source>:<event>:<group>:<handler>`). */
const SESSION_HOOK_KEY = "/<session-flags>/config.toml:pre_tool_use:0:0";

export function codexPolicyArgs(policy: PolicySettings | null | undefined, node: string, askChannel?: string | null): string[] {
  if (!policy) return [];
  const hook = policyHookCommand("codex", policy, node, askChannel);
  // TOML inline tables; a JSON string literal is a TOML basic string (the same quotes and escapes).
  const handler = `{type="command",command=${JSON.stringify(hook.command)},timeout=${hook.limitSec}}`;
  const hooks = `hooks={PreToolUse=[{matcher="^Bash$",hooks=[${handler}]}],state={${JSON.stringify(SESSION_HOOK_KEY)}={enabled=true}}}`;
  return ["--enable", "hooks", "--dangerously-bypass-hook-trust", "-c", hooks];
}

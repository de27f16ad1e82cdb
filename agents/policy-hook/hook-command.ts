/**
 * The shell line a program runs as its policy hook (hook.ts): our node, the
 * hook, the program's name, the policy base64-encoded (no quoting needed)
 * and, when the policy has `ask` rules, the session's ask folder. Each
 * program runs hook commands through a shell. `limitSec` is how long the
 * program should let the hook run: a check is quick, an ask waits up to
 * ASK_WAIT_SEC for a person, so the program's limit is a little longer (a
 * hook the program stops for its time is let through by all three).
 */
import { fileURLToPath } from "node:url";
import type { PolicySettings } from "../../core/index.js";
import { shellQuote } from "../script.js";
import { ASK_WAIT_SEC } from "./ask-channel.js";

/** A hook's time limit when it only checks (seconds). */
const CHECK_LIMIT_SEC = 60;

export interface PolicyHookCommand {
  readonly command: string;
  readonly limitSec: number;
}

/** hook.js next to this module (dist/agents/policy-hook/ once built). */
export function policyHookPath(): string {
  return fileURLToPath(new URL("./hook.js", import.meta.url));
}

export function policyHookCommand(program: string, policy: PolicySettings, node: string, askChannel?: string | null): PolicyHookCommand {
  const asks = (policy.ask ?? []).length > 0 && askChannel ? askChannel : null;
  const encoded = Buffer.from(JSON.stringify({ deny: policy.deny, ask: policy.ask ?? [], allow: policy.allow })).toString("base64");
  const words = [shellQuote(node), shellQuote(policyHookPath()), program, encoded, ...(asks ? [shellQuote(asks)] : [])];
  return { command: words.join(" "), limitSec: asks ? ASK_WAIT_SEC + 60 : CHECK_LIMIT_SEC };
}

#!/usr/bin/env node
/**
 * `node hook.js <program> <policy, base64 JSON> [<ask channel folder>]`: the
 * hook Claude Code (PreToolUse), Gemini CLI (BeforeTool) and Qwen Code
 * (PreToolUse) run before a tool call of an agent with a `policy:`. Each
 * gives the call on stdin as `{"tool_name":…,"tool_input":{"command":…}}`;
 * only the program's shell tool (programs.ts) is checked, its command like a
 * shell agent's task (the default rules, the agent's deny, ask and allow
 * patterns, nested `bash -c` code). Exit 2 refuses the call, and all three
 * programs give our stderr to the model as the tool's result; exit 0 (with
 * nothing on stdout, which Gemini CLI would parse) lets it through. A
 * command an ask rule matches waits for a person's answer through the ask
 * channel (ask-channel.ts). Anything unreadable is refused: a hook that
 * cannot decide must not allow.
 */
import { checkPolicy, closePolicyChecker, compilePolicy } from "../../core/index.js";
import { askPerson } from "./ask-wait.js";
import { shellToolOf } from "./programs.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function main(): Promise<number> {
  const shellTool = shellToolOf(process.argv[2] ?? "");
  let policy: { deny: string[]; ask?: string[]; allow: string[] };
  let call: { tool_name?: unknown; tool_input?: { command?: unknown } };
  try {
    if (shellTool === null) throw new Error(`unknown program "${process.argv[2] ?? ""}"`);
    policy = JSON.parse(Buffer.from(process.argv[3] ?? "", "base64").toString("utf8")) as typeof policy;
    call = JSON.parse(await readStdin()) as typeof call;
  } catch (error) {
    process.stderr.write(`claude-agent policy hook: cannot read the call or the policy (${error instanceof Error ? error.message : String(error)}); refused\n`);
    return 2;
  }
  if (call.tool_name !== shellTool) return 0;
  const command = call.tool_input?.command;
  if (typeof command !== "string") {
    process.stderr.write(`claude-agent policy hook: a ${shellTool} call without a command; refused\n`);
    return 2;
  }
  const verdict = await checkPolicy(command, compilePolicy({ deny: policy.deny ?? [], ask: policy.ask ?? [], allow: policy.allow ?? [] }));
  if (verdict.allowed) return 0;
  const channel = process.argv[4];
  if (verdict.ask && channel) {
    const outcome = await askPerson(channel, command);
    if (outcome.approved) return 0;
    process.stderr.write(
      `claude-agent: ${outcome.why} (the command needed a person's approval by policy rule ${verdict.rule}). Do not try to work around it. Say in your answer that it was refused and why.\n`,
    );
    return 2;
  }
  process.stderr.write(
    `claude-agent: ${verdict.reason}. This agent's policy (swarm.yaml) refuses this command; do not try to work around it. Say in your answer that it was refused.\n`,
  );
  return 2;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`claude-agent policy hook failed: ${error instanceof Error ? error.message : String(error)}; refused\n`);
    return 2;
  })
  .then(async (code) => {
    await closePolicyChecker();
    process.exit(code);
  });

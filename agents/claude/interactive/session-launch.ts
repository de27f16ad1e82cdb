/**
 * What a session's pane runs: the agent's config folder prepared (its account's,
 * with `accounts:`), the hook file emptied for a new program, the conversation
 * to resume if Claude Code still has it, and the argv, environment and paths a
 * sandbox must expose. Apart from InteractiveClaude, which watches the running
 * sessions (their hooks, screens, states and drift): this part runs once per
 * program start and keeps nothing.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { agentConfigDir, type AgentConfig } from "../../../core/index.js";
import type { InteractiveProgramDeps, ProgramLaunch } from "../../interactive-program.js";
import { askChannelDir } from "../../policy-hook/ask-channel.js";
import type { AgentPane } from "../../transport.js";
import { conversationExists, prepareInteractiveConfig } from "../config-dir.js";
import { HookFeed } from "./hook-feed.js";
import { HOOK_FILE_VAR, interactiveArgv } from "./launch.js";

/** Where an interactive agent's programs write their result files. */
export function resultsDir(home: string, agent: string): string {
  return join(home, "agents", agent, "results");
}

/** The session's hook file, which its program's hooks append to. */
function hookFileOf(home: string, session: AgentPane): string {
  return join(home, "agents", session.agent, "hooks", `${session.name}.jsonl`);
}

/**
 * The pane's program and environment. Prepares the config folder, and empties the hook file unless the
 * session's pane still runs (then the file tells a new bridge what happened while none watched).
 * `follow` is called with the hook file once it is ready, before the conversation is looked up.
 */
export async function launchProgram(
  deps: InteractiveProgramDeps,
  agent: AgentConfig,
  session: AgentPane,
  cwd: string,
  paneAlive: boolean,
  follow: (hookFile: string) => void,
): Promise<ProgramLaunch> {
  // With `accounts:`, the program runs with one of them: its folder and variables (a switch restarts the session).
  const account = (await deps.account?.(agent, session.name, paneAlive)) ?? null;
  const configDir = account?.configDir ?? agentConfigDir(deps.home, agent.name);
  const results = resultsDir(deps.home, agent.name);
  const roleFile = prepareInteractiveConfig({
    configDir,
    cwd,
    apiKey: account?.env.ANTHROPIC_API_KEY ?? agent.env.ANTHROPIC_API_KEY ?? process.env.ANTHROPIC_API_KEY ?? null,
    resultsDir: results,
    role: agent.role?.text ?? null,
  });
  const hookFile = hookFileOf(deps.home, session);
  mkdirSync(join(deps.home, "agents", agent.name, "hooks"), { recursive: true, mode: 0o700 });
  if (!paneAlive) HookFeed.reset(hookFile);
  follow(hookFile);
  const stored = paneAlive ? null : await deps.conversations.get(session.name);
  // `--resume` of a conversation Claude Code no longer has makes it exit at once (a crash loop): start fresh instead.
  const resumeId = stored && conversationExists(configDir, stored) ? stored : null;
  if (stored && !resumeId) await deps.conversations.clear(session.name);
  return {
    command: interactiveArgv({
      command: agent.command,
      model: agent.model,
      args: agent.args,
      resumeId,
      roleFile,
      policy: agent.policy ?? null,
      askChannel: askChannelDir(deps.home, session.name),
    }),
    env: { ...account?.env, CLAUDE_CONFIG_DIR: configDir, [HOOK_FILE_VAR]: hookFile },
    configDir,
    // What a sandboxed program needs of the home besides its config folder: its hook file and result files.
    exposed: [
      { path: hookFile, writable: true },
      { path: results, writable: true },
    ],
  };
}

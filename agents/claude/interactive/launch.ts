/**
 * Claude Code, interactive: its TUI is the pane's own program (no shell, so
 * no start-up race with a prompt typed too early), and each task is pasted
 * into it. It reports through hooks (hooks.ts) into a per-session file; its
 * settings and conversations live in the agent's own CLAUDE_CONFIG_DIR,
 * prepared by config-dir.ts. See docs/INTERACTIVE.md.
 */
import type { PolicySettings } from "../../../core/index.js";
import { option } from "../../script.js";
import { policySettingsArgs } from "../policy-settings.js";
import { permissionModeArgs } from "../permission-mode.js";

export interface InteractiveLaunch {
  /** The executable (`command` in swarm.yaml), or null for `claude` on PATH. */
  readonly command: string | null;
  readonly model: string | null;
  readonly args: readonly string[];
  /** The conversation to continue after a restart (checked to exist: `--resume` of an unknown id exits at once). */
  readonly resumeId: string | null;
  /** The role file (prepareInteractiveConfig), appended to Claude Code's system prompt; null: no role. */
  readonly roleFile?: string | null;
  /** The agent's command policy, checked by a PreToolUse hook run with this node; null: none. */
  readonly policy?: PolicySettings | null;
  /** The session's ask folder, for a policy with `ask` rules. */
  readonly askChannel?: string | null;
}

/** argv of the pane's program; tmux runs it directly, so nothing here is parsed by a shell. */
export function interactiveArgv(launch: InteractiveLaunch): string[] {
  return [
    launch.command ?? "claude",
    ...option("--model", launch.model),
    ...option("--resume", launch.resumeId),
    ...option("--append-system-prompt-file", launch.roleFile),
    ...policySettingsArgs(launch.policy, process.execPath, launch.askChannel),
    ...permissionModeArgs(launch.args),
    ...launch.args,
  ];
}

/** The environment variable that names the session's hook file, read by the hook script. */
export const HOOK_FILE_VAR = "CA_HOOK_FILE";

/**
 * The key that answers a permission prompt when `auto_approve` is on: "1",
 * the dialog's first option, "Yes" (this once). Not "2" ("Yes, and don't ask
 * again …"), which would write a standing rule into the agent's settings,
 * and not Enter, which picks whatever option is highlighted: a person
 * attached to the pane may have moved the highlight. A digit picks by number.
 */
export const APPROVE_KEY = "1";
/** The first option of a permission prompt must read like this before APPROVE_KEY is sent. */
export const APPROVING_OPTION = /(?:^|·\s)1\.\s+Yes\b/;

/**
 * The dialog's option that refuses the call, whose digit is the key a deny
 * from the inbox presses: `4. No` in 2.1.332, `3. No, and tell Claude what to
 * do differently (esc)` in 2.1.197. Measured on 2.1.332: it drops the call
 * and interrupts the turn ("Interrupted · What should Claude do instead?",
 * no further request to the model, no Stop hook), exactly like Escape.
 */
export const DENYING_OPTION = /(?:^|·\s)(\d)\.\s+No\b/;

/** Interrupts a running turn (and cancels an open dialog); Ctrl-C twice would quit the program. */
export const INTERRUPT_KEY = "Escape";

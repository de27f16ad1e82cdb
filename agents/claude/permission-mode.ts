/**
 * Claude Code 2.1.3xx made `auto` its default permission mode: a classifier
 * runs the tool calls it deems low-risk without asking (captured: the Bash
 * tool and a file write ran with no prompt). Earlier releases asked first
 * (`default`, which 2.1.3xx still accepts and also calls `manual`). The
 * swarm's documented behaviour depends on that: an interactive agent's
 * permission prompt waits for a person (`needs-input`) unless `auto_approve`
 * answers it, a headless one refuses what `args` did not grant. So both
 * modes pin `default`, unless the agent's `args` choose a mode themselves.
 */
export function permissionModeArgs(args: readonly string[]): string[] {
  const chosen = args.some((arg) => arg === "--permission-mode" || arg.startsWith("--permission-mode=") || arg === "--dangerously-skip-permissions");
  return chosen ? [] : ["--permission-mode", "default"];
}

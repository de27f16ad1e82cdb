/**
 * The hooks an interactive Claude Code reports through. Each hook runs one
 * tiny bash script of ours that appends the hook's JSON input, as one line,
 * to the session's hook file (`CA_HOOK_FILE`, set in the pane's
 * environment); the bridge follows that file with inotify (fs.watch).
 *
 * Why a file and inotify, measured (Claude Code 2.1.197, 10 turns): the line
 * reaches the bridge 0.39 ms median after the hook starts, against 2.9 ms
 * for an OSC marker written to the pane's tty and read back through the tmux
 * control client (it queues behind the TUI's own output), and Claude Code
 * runs hooks in a new session without a controlling terminal, so even that
 * needs the pane's tty path smuggled in. A FIFO would block the hook (and so
 * Claude) whenever the bridge is down; the file also survives a bridge
 * restart, so a new bridge replays what happened meanwhile. Only builtins
 * run: no fork per hook.
 */
export const HOOK_EVENTS = [
  "SessionStart",
  "UserPromptSubmit",
  "PermissionRequest",
  "Notification",
  "PostToolUse",
  "PostToolUseFailure",
  "PermissionDenied",
  "Stop",
  "StopFailure",
] as const;
export type HookEventName = (typeof HOOK_EVENTS)[number];

/** The script's file name; our entries in settings.json are recognised by it. */
export const HOOK_SCRIPT_NAME = "claude-agent-hook.bash";

/**
 * `$1` is the event name (from our settings, never from input). The input is
 * JSON on stdin: newlines between its tokens become spaces (newlines inside
 * strings are escaped by JSON), so one event is one line. `read -d ''`
 * returns non-zero at EOF but keeps what it read.
 */
export function hookScript(): string {
  return String.raw`#!/bin/bash
# claude-agent: Claude Code hook (generated; edits are overwritten)
__ca_at=${"${EPOCHREALTIME/,/.}"}
IFS= read -r -d '' __ca_in
[[ -n $CA_HOOK_FILE ]] || exit 0
__ca_in=${"${__ca_in//$'\n'/ }"}
printf '{"event":"%s","at":%s,"input":%s}\n' "$1" "$__ca_at" "${"${__ca_in:-null}"}" >> "$CA_HOOK_FILE"
exit 0
`;
}

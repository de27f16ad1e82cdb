/**
 * The channel between a program's policy hook (hook.ts, running inside the
 * agent's sandbox: Claude Code, Gemini CLI, Qwen Code) and the bridge
 * (outside it) for a shell call an `ask` rule matches. One folder per
 * session, `<home>/asks/<session>/`:
 *
 *   requests/<call>.json  written by the hook: `{ "command": … }`
 *   answers/<call>.json   written by the bridge: the decision, who gave it,
 *                         their reason, and the SHA-256 of the command the
 *                         person was shown
 *
 * In the sandbox `requests/` is bound writable and `answers/` read-only
 * (bridge/sandbox.ts): the task can ask, never answer. Its process can
 * rewrite a request it sees, so an answer carries the digest of the command
 * the person approved and the hook refuses an answer about another command.
 * The session the folder belongs to, not the request, says which task asks.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";

/** How long a hook waits for a person (the program's own time limit of the hook is a little longer). */
export const ASK_WAIT_SEC = 3600;
/** A request id: the hook's random one, and a file name safe to join. */
export const CALL_ID = /^[a-f0-9]{16}$/;
/** A request larger than this is not read (a command is at most a few KB; this bounds what a task can make us read). */
export const MAX_REQUEST_BYTES = 256 * 1024;

export interface AskAnswerFile {
  readonly decision: "approve" | "deny";
  readonly by: string;
  readonly reason?: string;
  /** SHA-256 (hex) of the command the person was shown. */
  readonly digest: string;
}

export function askChannelDir(home: string, session: string): string {
  return join(home, "asks", session);
}

export function requestsDir(channel: string): string {
  return join(channel, "requests");
}

export function answersDir(channel: string): string {
  return join(channel, "answers");
}

export function commandDigest(command: string): string {
  return createHash("sha256").update(command, "utf8").digest("hex");
}

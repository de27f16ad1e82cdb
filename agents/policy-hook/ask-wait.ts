/**
 * The hook's side of an ask (ask-channel.ts): writes the request, then waits
 * for the bridge's answer, up to ASK_WAIT_SEC. Runs inside the sandbox.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { answersDir, ASK_WAIT_SEC, type AskAnswerFile, commandDigest, requestsDir } from "./ask-channel.js";

const POLL_MS = 250;

export type AskOutcome = { readonly approved: true; readonly by: string } | { readonly approved: false; readonly why: string };

export async function askPerson(channel: string, command: string, waitMs = ASK_WAIT_SEC * 1000): Promise<AskOutcome> {
  const call = randomBytes(8).toString("hex");
  const request = join(requestsDir(channel), `${call}.json`);
  const temporary = join(requestsDir(channel), `.${call}.tmp`);
  writeFileSync(temporary, JSON.stringify({ command }), { mode: 0o600 });
  renameSync(temporary, request);
  const deadline = Date.now() + waitMs;
  try {
    for (;;) {
      const answer = readAnswer(join(answersDir(channel), `${call}.json`));
      if (answer !== null) {
        if (answer.digest !== commandDigest(command))
          return { approved: false, why: "the answer is about another command than this call's (its request was changed before a person saw it)" };
        if (answer.decision === "approve") return { approved: true, by: answer.by };
        const reason = answer.reason?.trim() ? `: ${answer.reason.trim()}` : "";
        return { approved: false, why: `refused by ${answer.by}${reason}` };
      }
      if (Date.now() > deadline)
        return {
          approved: false,
          why: `nobody answered within ${waitMs >= 120_000 ? `${Math.round(waitMs / 60_000)} minutes` : `${Math.round(waitMs / 1000)} s`}`,
        };
      await sleep(POLL_MS);
    }
  } finally {
    // The request gone tells the bridge nobody waits for the answer any more.
    rmSync(request, { force: true });
  }
}

function readAnswer(path: string): AskAnswerFile | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  try {
    const parsed = JSON.parse(text) as Partial<AskAnswerFile>;
    if ((parsed.decision === "approve" || parsed.decision === "deny") && typeof parsed.by === "string" && typeof parsed.digest === "string")
      return parsed as AskAnswerFile;
  } catch {
    // written by the bridge with one rename: a partial file is not possible; anything else is refused below
  }
  return { decision: "deny", by: "claude-agent", reason: "the answer file cannot be read", digest: "" };
}

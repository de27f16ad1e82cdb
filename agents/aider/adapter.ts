/**
 * aider, headless: `aider --message-file <prompt> --yes-always --no-suggest-shell-commands --no-pretty`.
 * aider has no machine-readable output, so its plain text is the event
 * stream: the answer is the reply before the last `Tokens: … sent, …
 * received. Cost: $… message, $… session.` line. It has no session ids
 * either: each conversation is a chat-history file of ours under the
 * agent's config folder, named by the task that started it, announced on
 * the stream's first line and restored with `--restore-chat-history`.
 */
import { basename } from "node:path";
import { clip, isLimitMessage } from "../events.js";
import type { AgentJob, AgentOutcome, AgentRuntime, ScriptPaths } from "../runtime.js";
import { option, pipeline } from "../script.js";
import { ToolCallList } from "../tool-calls.js";

const BANNER = "claude-agent: aider chat ";
/** What aider did after a reply (its status lines, for the audit log): an edit applied to a file, a commit made. */
const APPLIED = /^Applied edit to (.+)$/;
const COMMITTED = /^Commit ([0-9a-f]{7,40}) (.*)$/;
const TOKENS = /^>?\s*Tokens: ([\d.,]+[kKmM]?) sent, ([\d.,]+[kKmM]?) received\.(?: Cost: \$([\d.]+) (?:message|request), \$([\d.]+) session\.)?/;
const ERROR = /^(litellm\.\w+:.*|Error: .*|.*(?:AuthenticationError|RateLimitError|APIConnectionError|APIError|NotFoundError).*)$/;
const CHATTER = new RegExp(
  [
    "^Aider v",
    "^Main model:",
    "^Weak model:",
    "^Editor model:",
    "^Model:",
    "^Git repo:",
    "^Repo-map:",
    "^Added .* to the chat",
    "^Use /help",
    "^Cost estimates",
    "^Warning:",
    "^https://aider\\.chat",
    "^Retrying in",
    "^Applied edit to",
    "^Commit [0-9a-f]{7}",
    "^You can use /undo",
    "^No changes made",
    "^Can't initialize prompt toolkit",
    "^The API provider",
    `^${BANNER}`,
  ].join("|"),
);

export function parseAiderOutput(text: string): AgentOutcome {
  const lines = text.split("\n").map((line) => line.replace(/\r$/, ""));
  const outcome: AgentOutcome = { answer: "", events: 0 };
  let reply: string[] = [];
  let answer: string[] = [];
  let error: string | undefined;
  const calls = new ToolCallList();
  // aider's status lines follow its `Tokens:` line; the same words inside a reply (before that line) are the
  // model's text, not something aider did, and are not audited.
  let afterTokens = false;
  for (const line of lines) {
    // Ours is the first line; a later one would be aider echoing something.
    if (line.startsWith(BANNER) && outcome.conversationId === undefined) outcome.conversationId = line.slice(BANNER.length).trim() || undefined;
    const tokens = TOKENS.exec(line);
    if (tokens) {
      outcome.events += 1;
      outcome.turns = (outcome.turns ?? 0) + 1;
      outcome.inputTokens = (outcome.inputTokens ?? 0) + count(tokens[1]!);
      outcome.outputTokens = (outcome.outputTokens ?? 0) + count(tokens[2]!);
      if (tokens[3] !== undefined) outcome.costUsd = (outcome.costUsd ?? 0) + Number(tokens[3]);
      answer = reply;
      reply = [];
      error = undefined;
      afterTokens = true;
    } else if (ERROR.test(line.trim())) {
      error = line.trim();
    } else if (!CHATTER.test(line.trim())) {
      reply.push(line);
      if (line.trim() !== "") afterTokens = false;
    } else if (afterTokens) {
      const applied = APPLIED.exec(line.trim());
      const committed = COMMITTED.exec(line.trim());
      if (applied) calls.add({ tool: "edit", detail: clip(applied[1]!, 500) });
      else if (committed) calls.add({ tool: "commit", detail: clip(`${committed[1]} ${committed[2]}`, 500) });
    }
  }
  Object.assign(outcome, calls.fields());
  outcome.answer = answer.join("\n").trim();
  if (error !== undefined || outcome.turns === undefined) {
    outcome.isError = true;
    outcome.errorMessage =
      error ??
      (clip(
        lines
          .filter((l) => l.trim() !== "")
          .slice(-5)
          .join("\n"),
        2000,
      ) ||
        "aider printed nothing");
    if (isLimitMessage(outcome.errorMessage)) outcome.rateLimited = true;
  }
  return outcome;
}

/** aider's token counts: `1,234`, `2.3k`, `1.1M`. */
function count(text: string): number {
  const value = Number(text.replace(/,/g, "").replace(/[kKmM]$/, ""));
  const scale = /[kK]$/.test(text) ? 1e3 : /[mM]$/.test(text) ? 1e6 : 1;
  return Math.round(value * scale);
}

export const aiderRuntime: AgentRuntime = {
  name: "aider",
  defaultMode: "headless",
  structured: true,
  buildScript(job: AgentJob, paths: ScriptPaths): string {
    const resume = job.fresh ? null : job.resumeId;
    const chat = resume ?? basename(job.eventsFile).replace(/\.events\.jsonl$/, "");
    const argv = [
      job.command ?? "aider",
      "--message-file",
      job.promptFile,
      "--yes-always",
      // --yes-always already answers "no" to running a shell command the model suggests (aider asks that one
      // with explicit_yes_required, which --yes-always does not grant); said outright, so a later aider that
      // changed that default still runs none: its edits and commits are all it does, and all the audit needs.
      "--no-suggest-shell-commands",
      "--no-pretty",
      "--no-fancy-input",
      "--no-check-update",
      "--no-show-release-notes",
      "--analytics-disable",
      "--chat-history-file",
      `${paths.configDir}/chats/${chat}.md`,
      "--input-history-file",
      `${paths.configDir}/input.history`,
      ...(resume ? ["--restore-chat-history"] : []),
      // The role as a read-only file in the chat: aider shows it to the model and never edits it.
      ...option("--read", job.roleFile),
      ...option("--model", job.model),
      ...job.args,
    ];
    const script = pipeline({ runtime: "aider", argv, env: {}, prompt: "none", banner: `${BANNER}${chat}` }, job, paths);
    return script.replace(/^mkdir -p -- (.*)$/m, "mkdir -p -- $1/chats");
  },
  parseEvents: parseAiderOutput,
  renderEvent: (line) => `${line}\n`,
};

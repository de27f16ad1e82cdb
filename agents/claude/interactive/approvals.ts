import type { LogFn, TaskRecord } from "../../../core/index.js";
import { clip } from "../../events.js";
import type { AgentPane } from "../../transport.js";
import { askedQuestions, type ClaudeHookEvent } from "../hook-events.js";
import { readQuestionOptions } from "../screen-state.js";
import type { ClaudeChannel } from "./channel.js";
import { APPROVE_KEY, APPROVING_OPTION } from "./launch.js";
import type { InteractiveClaude } from "./sessions.js";

/** The PermissionRequest hook runs before the dialog is drawn: wait this long for the dialog to approve it. */
const APPROVE_WAIT_MS = 5000;
/** How long the dialog may stay after a key before it is sent again, and how many times. */
const DIALOG_CONFIRM_MS = 2000;
const DIALOG_KEY_TRIES = 3;

/** `auto_approve` while a turn runs: the permission dialogs it may answer, and how. */
export class AutoApprover {
  constructor(
    private readonly claude: InteractiveClaude,
    private readonly log: LogFn,
  ) {}

  /**
   * `auto_approve`: a permission prompt (PermissionRequest hook) is answered
   * with APPROVE_KEY once the screen shows the dialog with "1. Yes" first;
   * anything else on screen is left for a person.
   */
  watch(record: TaskRecord, pane: AgentPane, channel: ClaudeChannel): { dispose(): void } {
    if (!autoApproves(this.claude, record.agent)) return { dispose: () => undefined };
    const approve = (event: ClaudeHookEvent, waitMs: number) =>
      void this.approve(record, pane, channel, event, waitMs).catch((error) => this.log("job.approve-failed", { taskId: record.id, error }));
    // A prompt already open (a re-adopted task whose dialog came while no bridge watched).
    if (pane.agentState === "needs-input") {
      const asked = [...channel.history].reverse().find((e) => e.event === "PermissionRequest");
      if (asked && askedQuestions(asked) === null) approve(asked, 0);
    }
    return channel.subscribe((event) => {
      const late = event.event === "Notification" && event.notificationType === "permission_prompt";
      // A question (AskUserQuestion) is the person's to answer, never auto_approve's: it waits in the inbox.
      if (askedQuestions(event) !== null) return;
      if (event.event === "PermissionRequest" || late) approve(event, late ? 0 : APPROVE_WAIT_MS);
    });
  }

  private async approve(record: TaskRecord, pane: AgentPane, channel: ClaudeChannel, event: ClaudeHookEvent, waitMs: number): Promise<void> {
    await channel.input(async () => {
      // Drift suspected since the task started: the prompt is left to a person.
      if (this.claude.driftSuspected(record.agent)) return;
      const screen = await this.claude.waitForScreen(pane, (s) => s.state === "needs-input", waitMs);
      if (screen?.state !== "needs-input" || !APPROVING_OPTION.test(screen.question ?? "")) return;
      // A question dialog whose first option reads "Yes" is still a question (a late Notification names no tool).
      if (readQuestionOptions(await pane.capture()) !== null) return;
      const question = screen.question ?? "";
      await pressOnDialog(this.claude, pane, question, APPROVE_KEY, (attempt) =>
        this.log("job.auto-approved", {
          taskId: record.id,
          session: pane.name,
          tool: event.toolName,
          question: clip(question, 200),
          key: APPROVE_KEY,
          attempt,
        }),
      );
    });
  }
}

/** Whether the agent's permission prompts are answered by AutoApprover (else they wait for a person: prompt-watch.ts). */
export function autoApproves(claude: InteractiveClaude, agent: string): boolean {
  return claude.agent(agent)?.autoApprove === true && !claude.driftSuspected(agent);
}

/**
 * Presses `key` in the dialog that shows `question` (the caller saw it on the
 * screen, inside the channel's `input`) and returns whether the dialog went.
 * Claude Code 2.1.332 draws its permission dialog before it listens to keys:
 * a digit sent at once was seen lost (the dialog stayed until the next key,
 * 12 s later). So the key goes again while the same dialog is still up after
 * DIALOG_CONFIRM_MS, never into anything else.
 */
export async function pressOnDialog(
  claude: InteractiveClaude,
  pane: AgentPane,
  question: string,
  key: string,
  pressed: (attempt: number) => void,
): Promise<boolean> {
  for (let attempt = 1; attempt <= DIALOG_KEY_TRIES; attempt++) {
    await pane.key(key);
    pressed(attempt);
    const screen = await claude.waitForScreen(pane, (s) => s.state !== "needs-input" || s.question !== question, DIALOG_CONFIRM_MS);
    if (screen?.question !== question) return true;
  }
  return false;
}

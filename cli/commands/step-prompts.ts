import { createInterface, type Interface } from "node:readline/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { ClaudeAgentError, localActor, NotFoundError, terminalLine, terminalText, type InboxItem } from "../../core/index.js";
import type { ExecutionState, InboxClient, WorkflowClient } from "../../workflows/index.js";
import { printError } from "../output.js";
import { answeredLine, askQuestions } from "./answer.js";
import type { View } from "./execution-views.js";
import { decideStep } from "./step-decision.js";

/**
 * The prompts of `workflow run --wait` on a terminal: a step waiting for approval or input is
 * asked about below the step table, one at a time, and answered through the same calls as
 * `approve`/`reject` and `answer`. A prompt whose step stops waiting (answered in another
 * terminal, the TUI, the web inbox; the execution cancelled) is withdrawn; an empty answer or
 * `skip` leaves the step waiting, with the command that answers it; Ctrl-C stops the waiting.
 */

type WaitKind = "waiting-approval" | "waiting-input";

interface Waiting {
  readonly step: string;
  readonly kind: WaitKind;
  readonly inbox: string | null;
  /** One wait of one step: a step that waits again later (a retried run) is asked again. */
  readonly key: string;
}

interface Open {
  readonly waiting: Waiting;
  readonly abort: AbortController;
  /** Why the question was aborted: its step stopped waiting, Ctrl-C, or the follow ended. */
  why: "withdrawn" | "interrupted" | "ended" | null;
  /** An answer is on its way: the step stopping to wait is its effect, not a reason to withdraw. */
  submitting: boolean;
  done: Promise<void>;
}

export interface StepPromptsOptions {
  readonly workflows: WorkflowClient;
  readonly inbox: InboxClient;
  /** The step table; not drawn while a prompt is open, drawn below the prompt once it closes. */
  readonly view: View;
  readonly input: NodeJS.ReadStream;
  readonly output: NodeJS.WriteStream;
  /** Ctrl-C at a prompt: stop following (the execution keeps running). */
  readonly onInterrupt: () => void;
}

/** The steps that wait for a person, in the workflow's order. */
export function waitingSteps(state: ExecutionState): Waiting[] {
  if (state.status !== "running") return [];
  return state.definition.steps.flatMap((step) => {
    const st = state.steps[step.id];
    if (st?.status !== "waiting-approval" && st?.status !== "waiting-input") return [];
    return [{ step: step.id, kind: st.status, inbox: st.inbox, key: [step.id, st.status, st.inbox ?? "", st.attempts].join("|") }];
  });
}

/** How long an input step's item may take to appear after its step waits: 100 lookups, 100 ms apart. */
const ITEM_LOOKUPS = 100;
const ITEM_LOOKUP_MS = 100;

export class StepPrompts {
  private open: Open | null = null;
  private readonly asked = new Set<string>();
  private latest: ExecutionState | null = null;
  private closed = false;
  /** stdin ended (Ctrl-D): nothing more can be asked; the steps are left to the printed commands. */
  private inputEnded = false;

  constructor(private readonly options: StepPromptsOptions) {}

  /** Each state the follow sees: withdraws a prompt whose step no longer waits, else draws the table and asks the next step. */
  update(state: ExecutionState): void {
    this.latest = state;
    const open = this.open;
    if (open !== null) {
      if (!waitingSteps(state).some((w) => w.key === open.waiting.key)) this.stop(open, "withdrawn");
      return;
    }
    if (this.closed) return;
    this.options.view.show(state);
    const next = this.inputEnded ? undefined : waitingSteps(state).find((w) => !this.asked.has(w.key));
    if (next === undefined) return;
    this.asked.add(next.key);
    const opened: Open = { waiting: next, abort: new AbortController(), why: null, submitting: false, done: Promise.resolve() };
    this.open = opened;
    opened.done = this.ask(state, opened)
      .catch((error: unknown) => printError(`error: ${error instanceof Error ? error.message : String(error)}\n`))
      .finally(() => {
        this.open = null;
        this.options.view.below();
        if (this.latest !== null) this.update(this.latest);
      });
  }

  /** Withdraws an open prompt and waits for it to let go of the terminal. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const open = this.open;
    if (open === null) return;
    this.stop(open, "ended");
    await open.done;
  }

  private stop(open: Open, why: NonNullable<Open["why"]>): void {
    if (open.submitting && why === "withdrawn") return;
    open.why ??= why;
    open.abort.abort();
  }

  private async ask(state: ExecutionState, open: Open): Promise<void> {
    const { step, kind, inbox } = open.waiting;
    const item = kind === "waiting-input" && inbox !== null ? await this.itemOf(inbox, open.abort.signal) : null;
    if (kind === "waiting-input" && item === null) return this.leave(state, open.waiting);
    // An approval's question is quoted in the table just drawn above; an input step's text is not: it is quoted
    // here the same way, each line marked, so templated text cannot pass for a line of ours.
    const text = item?.text ?? "";
    const quoted =
      text.trim() === ""
        ? []
        : terminalText(text)
            .trimEnd()
            .split("\n")
            .map((line) => `  │ ${line}\n`);
    printError(item === null ? "\n" : `\nstep "${step}" waits for input:\n${quoted.join("")}`);
    const rl = createInterface({ input: this.options.input, output: this.options.output });
    let ours = false;
    rl.on("SIGINT", () => this.stop(open, "interrupted"));
    rl.on("close", () => {
      if (ours) return;
      this.inputEnded = true;
      this.stop(open, "ended");
    });
    const where = `step "${terminalLine(step)}" of workflow ${terminalLine(state.workflow)}`;
    try {
      if (kind === "waiting-approval") await this.approval(rl, state, open, where);
      else if (item !== null) await this.input(rl, state, item, open, where);
    } catch (error) {
      if (!open.abort.signal.aborted) throw error;
    } finally {
      ours = true;
      rl.close();
    }
    if (open.why === "withdrawn") {
      const now = this.latest?.steps[step]?.status ?? "gone";
      printError(`prompt withdrawn: step "${step}" no longer waits (now ${this.latest?.status === "running" ? now : this.latest?.status})\n`);
    } else if (open.why === "interrupted") {
      // Nothing more is drawn or asked: the follow ends with the line that says how to pick it up again.
      this.closed = true;
      this.options.onInterrupt();
    } else if (open.why === "ended" && this.inputEnded) {
      printError("\n");
      this.leave(state, open.waiting);
    }
  }

  /**
   * The input step's inbox item. The engine records the step as waiting (naming the item) first and
   * opens the item in its next pass, so a follow can see the state before the item exists (seen on a
   * loaded machine): a missing item is looked up again for a while. Null when the prompt is withdrawn.
   */
  private async itemOf(id: string, signal: AbortSignal): Promise<InboxItem | null> {
    for (let tries = 1; ; tries++) {
      try {
        return await this.options.inbox.get(id);
      } catch (error) {
        if (!(error instanceof NotFoundError) || tries >= ITEM_LOOKUPS) throw error;
      }
      if (signal.aborted) return null;
      await sleep(ITEM_LOOKUP_MS);
    }
  }

  private async approval(rl: Interface, state: ExecutionState, open: Open, where: string): Promise<void> {
    const signal = open.abort.signal;
    for (;;) {
      const word = (await rl.question(`approve ${where}? [y/n/skip, Enter skips] `, { signal })).trim().toLowerCase();
      if (word === "" || word === "skip") return this.leave(state, open.waiting);
      const yes = /^(y|yes|approve)$/.test(word);
      if (!yes && !/^(n|no|reject|deny)$/.test(word)) {
        printError("answer y (approve), n (reject) or skip\n");
        continue;
      }
      const reason = yes ? "" : (await rl.question("why (optional)? ", { signal })).trim();
      await this.submit(open, async () => {
        const decision = { approve: yes, ...(reason !== "" && { reason }) };
        return (await decideStep(this.options.workflows, state.id, open.waiting.step, decision)).message;
      });
      return;
    }
  }

  private async input(rl: Interface, state: ExecutionState, item: InboxItem, open: Open, where: string): Promise<void> {
    const signal = open.abort.signal;
    const now = (await rl.question(`answer ${where} now? [y/skip, Enter skips] `, { signal })).trim().toLowerCase();
    if (!/^(y|yes)$/.test(now)) return this.leave(state, open.waiting);
    for (;;) {
      const values = await askQuestions(rl, item.questions, signal);
      const again = await this.submit(open, async () => answeredLine(await this.options.inbox.answer(item.id, { by: `cli:${localActor()}`, values })), item.id);
      if (!again) return;
    }
  }

  /** Runs an answer; a refusal (a value the item does not take, the step answered meanwhile) is shown, not thrown. True: ask again. */
  private async submit(open: Open, run: () => Promise<string>, item?: string): Promise<boolean> {
    open.submitting = true;
    try {
      printError(await run());
      return false;
    } catch (error) {
      open.submitting = false;
      if (!(error instanceof ClaudeAgentError)) throw error;
      printError(`error: ${error.message}\n`);
      // A value the item does not take (checkAnswer names the item) is asked again; anything else (answered meanwhile, withdrawn) ends the prompt.
      return item !== undefined && error.context.item === item;
    }
  }

  /** The step stays waiting: the command that answers it, as the follow prints it without prompts. */
  private leave(state: ExecutionState, waiting: Waiting): void {
    const item = waiting.inbox ?? "ITEM";
    const how =
      waiting.kind === "waiting-approval"
        ? `claude-agent answer ${item} approve (or claude-agent approve ${state.id} ${waiting.step})`
        : `claude-agent answer ${item} (claude-agent inbox ${item} shows the questions)`;
    printError(`left step "${waiting.step}" waiting; answer it with: ${how}\n`);
  }
}

import { newInboxId, redactValues, type InboxAnswer, type NewInboxItem } from "../core/index.js";
import type { EngineDeps } from "./context.js";
import { prepareStep } from "./prepare.js";
import { stepOf, WAITING } from "./transitions.js";
import type { ExecutionState } from "./types.js";

/**
 * What the engine needs of the swarm's inbox (core's InboxStore): approval and
 * input steps become items a person answers with `claude-agent answer`. Tests
 * give the engine an in-memory one, or none (then steps wait without items).
 */
export interface InboxPort {
  open(item: NewInboxItem): Promise<unknown>;
  answer(id: string, answer: InboxAnswer): Promise<unknown>;
  withdraw(id: string, reason: string): Promise<boolean>;
}

function firstLine(text: string, max = 100): string {
  const line =
    text
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Gives every waiting step of `state` its inbox item: an id first (written to the
 * execution, for steps stored before items existed), then the item itself, opened
 * idempotently, so a driver that died between the two leaves nothing unasked.
 * `known` holds the ids this driver already opened (one open per item and driver).
 */
export async function ensureItems(deps: EngineDeps, state: ExecutionState, known: Set<string>): Promise<void> {
  const inbox = deps.inbox;
  if (inbox === null) return;
  for (const step of state.definition.steps) {
    const st = state.steps[step.id];
    if (st === undefined || !WAITING.includes(st.status) || step.kind === "task") continue;
    let id = st.inbox;
    if (id === null) {
      const fresh = newInboxId();
      const updated = await deps.update(state.id, (s) => {
        const cur = s.steps[step.id];
        if (cur !== undefined && WAITING.includes(cur.status) && cur.inbox === null) cur.inbox = fresh;
      });
      id = updated.steps[step.id]?.inbox ?? null;
      if (id === null) continue;
    }
    if (known.has(id)) continue;
    const prepared = prepareStep(state, step);
    const text = prepared.kind === "start" ? prepared.text : (st.task ?? "");
    const questions = prepared.kind === "start" ? (prepared.questions ?? []) : [];
    const what = step.kind === "approval" ? text : text || questions.map((q) => q.prompt).join(" ");
    // An item is stored, published and shown to people: its text goes redacted, like `workflow show` prints it.
    const spec: NewInboxItem = {
      id,
      kind: step.kind,
      title: redactValues(`${state.workflow}/${step.id}: ${firstLine(what) || "(no text)"}`),
      text: redactValues(text),
      questions: redactValues(questions),
      source: { type: "workflow", executionId: state.id, workflow: state.workflow, step: step.id },
      escalateAfterMs: step.escalateAfterMs ?? deps.escalateAfterMs,
    };
    await inbox.open(spec);
    known.add(id);
  }
}

/** Withdraws the items of steps no longer waiting (cancelled, failed by a halt, …); answered ones stay as they are. */
export async function withdrawItems(deps: EngineDeps, state: ExecutionState, reason: string): Promise<void> {
  const inbox = deps.inbox;
  if (inbox === null) return;
  for (const [stepId, st] of Object.entries(state.steps)) {
    if (st.inbox === null || WAITING.includes(st.status)) continue;
    if (stepOf(state, stepId)?.kind === "task") continue;
    // Left open: the workflow service's sweep closes items whose step no longer waits.
    await inbox.withdraw(st.inbox, `${reason}: step "${stepId}" is ${st.status}`).catch(() => false);
  }
}

import { UsageError } from "../errors.js";
import type { InboxAnswer, InboxItem, InboxStore } from "../inbox/index.js";
import type { Ledger } from "../ledger.js";
import { isTerminal } from "../protocol.js";
import { callAskId, type PolicyAsks } from "./store.js";

/** The ask id of a policy item: its task's, or its task's and call's. */
export function askIdOf(item: InboxItem): string {
  const source = item.source;
  if (source.type !== "policy") throw new TypeError(`inbox item ${item.id} is not a policy ask`);
  return source.call === undefined ? source.taskId : callAskId(source.taskId, source.call);
}

/**
 * Applies a person's answer to a policy ask: the answer goes to the ask's
 * record first (once), then on the item, then the bridge is told (it
 * dispatches or fails the held task, or answers the waiting tool call). An
 * item whose task has ended (cancelled meanwhile) is withdrawn instead.
 */
export async function answerPolicyAsk(
  deps: { readonly asks: PolicyAsks; readonly inbox: InboxStore; readonly ledger: Ledger },
  item: InboxItem,
  answer: InboxAnswer,
): Promise<void> {
  const source = item.source;
  if (source.type !== "policy") throw new TypeError(`inbox item ${item.id} is not a policy ask`);
  if (!("decision" in answer)) throw new UsageError(`inbox item ${item.id} takes approve or deny`);
  const id = askIdOf(item);
  const gone = await taskGone(deps.ledger, source.taskId);
  if (gone !== null) {
    await deps.inbox.withdraw(item.id, gone);
    await deps.asks.settled(id);
    throw new UsageError(`inbox item ${item.id} no longer applies: ${gone}`, { context: { item: item.id } });
  }
  await deps.asks.decide(id, answer);
  await deps.inbox.answer(item.id, answer);
  await deps.asks.wake(id);
}

/** Why nobody waits for an answer about task `taskId` any more (it is gone or has ended), or null while it runs or waits. */
export async function taskGone(ledger: Ledger, taskId: string): Promise<string | null> {
  const record = await ledger.get(taskId);
  return record === null ? `task ${taskId} is gone` : isTerminal(record.status) ? `task ${taskId} has ended (${record.status})` : null;
}

/** Withdraws the open item of a held task (it was cancelled); a no-op when it has none. */
export async function withdrawPolicyAsk(deps: { readonly asks: PolicyAsks; readonly inbox: InboxStore }, taskId: string, reason: string): Promise<boolean> {
  const ask = await deps.asks.get(taskId);
  if (ask === null) return false;
  await deps.asks.settled(taskId);
  return deps.inbox.withdraw(ask.item, reason);
}

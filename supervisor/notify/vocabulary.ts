/**
 * The events a notification target can ask for, as the types of the swarm's
 * event stream they stand for, and what each event is about (its subject):
 * the unit the notifier deduplicates by.
 */
import { NOTIFY_EVENTS, type NotifyEventName, type SwarmEvent } from "../../core/index.js";

/** Stream types per name. `budget.reached` is published by budgets (an agent's or a workflow run's). */
const STREAM_TYPES: Readonly<Record<NotifyEventName, readonly string[]>> = {
  "needs-you": ["inbox.opened", "inbox.escalated"],
  "task.failed": ["task.failed"],
  "task.timeout": ["task.timeout"],
  "workflow.finished": ["workflow.completed", "workflow.failed", "workflow.cancelled"],
  "workflow.failed": ["workflow.failed"],
  "agent.crash-loop": ["agent.failed"],
  "breaker.open": ["agent.breaker-open"],
  "agent.parked": ["agent.parked"],
  "budget.reached": ["budget.reached"],
};

/** The stream types a list of names covers. */
export function streamTypesOf(names: readonly NotifyEventName[]): Set<string> {
  return new Set(names.flatMap((name) => STREAM_TYPES[name]));
}

/**
 * The most specific of `names` a stream type is known by (`workflow.failed` over `workflow.finished`),
 * or null for one none of them covers: a target is told an event by the name it asked for.
 */
export function notifyNameOf(type: string, names: readonly NotifyEventName[] = NOTIFY_EVENTS): NotifyEventName | null {
  const covering = names.filter((name) => STREAM_TYPES[name].includes(type));
  return covering.sort((a, b) => STREAM_TYPES[a].length - STREAM_TYPES[b].length)[0] ?? null;
}

/** What the event is about: the task, inbox item, execution or agent; null when it names none. */
export function subjectOf(event: Pick<SwarmEvent, "type"> & Readonly<Record<string, string | undefined>>): string | null {
  if (event.type.startsWith("task.")) return event.taskId ?? null;
  if (event.type.startsWith("inbox.")) return event.item ?? null;
  if (event.type.startsWith("workflow.")) return event.executionId ?? null;
  return event.executionId ?? event.agent ?? null;
}

/**
 * What a target receives: one JSON document per event, the same for every
 * target (a webhook in `json` format posts it as it is; a command reads it on
 * stdin), with a one-line `text` for a person. Every string in it comes from
 * the event stream (redacted when published) or the task's record (redacted
 * when stored), and is redacted once more with the swarm's own secrets.
 */
import { terminalLine, type NotifyEventName, type Redactor, type SwarmEvent } from "../../core/index.js";
import { notifyNameOf, subjectOf } from "./vocabulary.js";

/** What the task's record adds to a task event. */
export interface TaskFacts {
  /** The task's text as stored (redacted), shortened. */
  readonly text: string;
  readonly exitCode: number | null;
  readonly reason: string | null;
}

export interface NotifyMessage {
  /** The name a target subscribes with (`task.failed`, `needs-you`, …), or `test` from `notify test`. */
  readonly event: NotifyEventName | "test";
  /** The stream's own type (`inbox.opened`, `workflow.completed`, …). */
  readonly type: string;
  /** The stream entry's id; null for a test. */
  readonly id: string | null;
  readonly at: string;
  readonly swarm: string;
  /** The task, inbox item, execution or agent the event is about. */
  readonly subject: string | null;
  /** A short title (a desktop notification's summary). */
  readonly title: string;
  /** One line for a person. */
  readonly text: string;
  /** The event's fields as published. */
  readonly fields: Readonly<Record<string, string>>;
  readonly task?: TaskFacts;
  /** Events this target's rate limit held back since its last delivery. */
  readonly suppressed?: number;
}

const MAX_FIELD = 2000;
const MAX_TEXT = 500;
const MAX_TASK_TEXT = 300;

/** A stream event as a message; null for a type no target can ask for. */
export function messageOf(event: SwarmEvent, swarm: string, redact: Redactor, task: TaskFacts | null): NotifyMessage | null {
  const name = notifyNameOf(event.type);
  if (name === null) return null;
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === "id" || key === "type" || key === "at" || typeof value !== "string") continue;
    fields[key] = shorten(redact(value), MAX_FIELD);
  }
  const facts = task
    ? { text: shorten(redact(task.text), MAX_TASK_TEXT), exitCode: task.exitCode, reason: task.reason === null ? null : redact(task.reason) }
    : null;
  const subject = subjectOf(event as SwarmEvent & Record<string, string | undefined>);
  return {
    event: name,
    type: event.type,
    id: event.id,
    at: event.at ?? new Date().toISOString(),
    swarm,
    subject,
    title: `claude-agent ${swarm}: ${titleOf(name, fields)}`,
    text: oneLine(describe(event.type, fields, facts)),
    fields,
    ...(facts ? { task: facts } : {}),
  };
}

/** The message `notify test` sends. */
export function testMessage(swarm: string, target: string, now = new Date()): NotifyMessage {
  return {
    event: "test",
    type: "notify.test",
    id: null,
    at: now.toISOString(),
    swarm,
    subject: target,
    title: `claude-agent ${swarm}: test`,
    text: `test notification from swarm ${swarm} to target ${target}: it works`,
    fields: {},
  };
}

/** The message with the count of what the rate limit held back before it, in its fields and its text. */
export function withSuppressed(message: NotifyMessage, suppressed: number): NotifyMessage {
  if (suppressed <= 0) return message;
  return { ...message, suppressed, text: oneLine(`${message.text} (and ${suppressed} more held back by the rate limit)`) };
}

function titleOf(name: NotifyEventName, fields: Readonly<Record<string, string>>): string {
  const who = fields.agent ?? fields.workflow ?? "";
  const what: Record<NotifyEventName, string> = {
    "needs-you": "needs you",
    "task.failed": "task failed",
    "task.timeout": "task timed out",
    "workflow.finished": "workflow finished",
    "workflow.failed": "workflow failed",
    "agent.crash-loop": "agent crash-looping",
    "breaker.open": "circuit breaker open",
    "agent.parked": "agent parked",
    "budget.reached": "budget reached",
  };
  return who ? `${what[name]} (${who})` : what[name];
}

function describe(type: string, f: Readonly<Record<string, string>>, task: TaskFacts | null): string {
  const said = f.message ? `: ${f.message}` : "";
  switch (type) {
    case "task.failed":
    case "task.timeout": {
      const how = type === "task.failed" ? "failed" : "timed out";
      const exit = task?.exitCode !== null && task?.exitCode !== undefined ? ` with exit ${task.exitCode}` : "";
      const reason = task?.reason ? `: ${task.reason}` : "";
      const text = task?.text ? ` · ${task.text}` : "";
      return `task ${f.taskId ?? "?"} ${how} on ${f.agent ?? "?"}${exit}${reason}${text}`;
    }
    case "inbox.opened":
    case "inbox.escalated": {
      const still = type === "inbox.escalated" ? "still waiting: " : "";
      const title = (f.message ?? "").replace(/^\S+ \S+: /, "");
      return `needs you: ${still}${title || f.item || "an inbox item"} (claude-agent inbox ${f.item ?? ""})`;
    }
    case "workflow.completed":
    case "workflow.failed":
    case "workflow.cancelled":
      return `workflow ${f.workflow ?? "?"} ${type.slice("workflow.".length)}${f.reason ? `: ${f.reason}` : ""} (execution ${f.executionId ?? "?"})`;
    case "agent.failed":
      return `agent ${f.agent ?? "?"} is crash-looping${said}`;
    case "agent.breaker-open":
      return `agent ${f.agent ?? "?"}${said || ": circuit breaker open"}`;
    case "agent.parked":
      return `agent ${f.agent ?? "?"} parked at a usage limit${said}`;
    case "budget.reached":
      return `budget reached for ${f.agent ?? f.executionId ?? "?"}${f.spent && f.limit ? ` (${f.spent} of ${f.limit})` : ""}${said}`;
    default:
      return `${type}${said}`;
  }
}

/** One line without control characters, shortened: safe for a chat line, a desktop popup or a log. */
export function oneLine(text: string, max = MAX_TEXT): string {
  return shorten(terminalLine(text).replace(/ {2,}/g, " ").trim(), max);
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

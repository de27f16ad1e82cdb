import { executionOf, sourceLabel, terminalText, type InboxItem } from "../../core/index.js";
import { InboxClient, WorkflowClient } from "../../workflows/index.js";
import { printJson, withSwarm, type GlobalOptions } from "../context.js";
import { table } from "../format.js";
import { print } from "../output.js";

/** `claude-agent inbox [ID]`: what waits for a person, oldest first; with an id, the whole item. */

export async function withInbox<T>(options: GlobalOptions, fn: (inbox: InboxClient) => Promise<T>): Promise<T> {
  return withSwarm(options, async (swarm) => {
    const workflows = new WorkflowClient(swarm.client);
    try {
      return await fn(new InboxClient(swarm.client, workflows));
    } finally {
      await workflows.close();
    }
  });
}

export async function inbox(id: string | undefined, options: GlobalOptions & { json?: boolean; all?: boolean }): Promise<void> {
  await withInbox(options, async (client) => {
    if (id !== undefined) {
      const item = await client.get(id);
      if (options.json) return printJson(item);
      return void print(`${describeItem(item).join("\n")}\n`);
    }
    const items = await client.list({ all: options.all === true });
    if (options.json) return printJson({ items, open: items.filter((i) => i.status === "open").length });
    if (items.length === 0) return void print(options.all ? "the inbox has no items\n" : "nothing waits for you\n");
    const now = Date.now();
    const rows = items.map((item) => [item.id, item.kind, statusOf(item), age(now - Date.parse(item.createdAt)), terminalText(firstLine(item.title, 90))]);
    print(`${table(["ITEM", "KIND", "STATUS", "WAITING", "WHAT"], rows)}\n`);
    if (!options.all)
      print("\nanswer: claude-agent answer ITEM approve|deny (approvals) or ITEM VALUE / --field NAME=VALUE (input); claude-agent inbox ITEM shows one\n");
  });
}

function statusOf(item: InboxItem): string {
  if (item.status !== "open") return item.status;
  return item.escalatedAt !== null ? "open, escalated" : "open";
}

/** An item as a person reads it: where it comes from, the whole question, what to answer. */
export function describeItem(item: InboxItem): string[] {
  const lines = [
    `${item.id} · ${item.kind} · ${statusOf(item)} · ${terminalText(sourceLabel(item.source))}${executionOf(item.source) === null ? "" : ` (execution ${executionOf(item.source)})`} · since ${item.createdAt}`,
  ];
  if (item.escalateAt !== null && item.status === "open")
    lines.push(item.escalatedAt === null ? `escalates at ${item.escalateAt}` : `escalated at ${item.escalatedAt}`);
  if (item.text.trim() !== "") lines.push("", ...terminalText(item.text).split("\n"));
  for (const q of item.questions) {
    const details = [
      q.choices !== undefined ? `one of: ${q.choices.join(", ")}` : null,
      q.pattern !== undefined ? `matching ${q.pattern}` : null,
      q.default !== undefined ? `default: ${q.default}` : null,
      q.required ? null : "optional",
    ].filter((d): d is string => d !== null);
    lines.push("", `  ${q.name}: ${terminalText(q.prompt)}${details.length > 0 ? `  (${terminalText(details.join("; "))})` : ""}`);
  }
  if (item.answer !== null)
    lines.push(
      "",
      "decision" in item.answer
        ? `answer: ${item.answer.decision}${item.answer.reason ? ` (${terminalText(item.answer.reason)})` : ""} by ${terminalText(item.answer.by)}`
        : `answers by ${terminalText(item.answer.by)}: ${terminalText(JSON.stringify(item.answer.values))}`,
    );
  if (item.status === "withdrawn") lines.push("", `withdrawn: ${terminalText(item.reason ?? "")}`);
  if (item.status === "open") {
    const how =
      item.source.type === "task"
        ? `claude-agent answer ${item.id} approve   (runs the task again; deny dismisses it)`
        : item.kind === "approval"
          ? `claude-agent answer ${item.id} approve   (or deny --reason "…")`
          : item.questions.length === 1
            ? `claude-agent answer ${item.id} VALUE`
            : `claude-agent answer ${item.id} ${item.questions.map((q) => `--field ${q.name}=…`).join(" ")}   (on a terminal: claude-agent answer ${item.id} asks each)`;
    lines.push("", `answer: ${how}`);
  }
  return lines;
}

function firstLine(text: string, max: number): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return s < 172_800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86_400)}d`;
}

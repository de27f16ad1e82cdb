import blessed from "blessed";
import type { Widgets } from "blessed";
import { terminalText, type GivenAnswer, type InboxItem, type LogFn } from "../core/index.js";
import { InboxClient, WorkflowClient } from "../workflows/index.js";
import type { KeyEvent } from "./keys.js";
import type { Overlays } from "./overlays.js";
import { Refresher } from "./refresher.js";
import type { SwarmLink } from "./sources/swarm-link.js";
import { escapeTags } from "./views/text.js";

/** The inbox is re-read this often (one sorted-set read and one MGET). */
const PERIOD_MS = 2000;

/** Text from the swarm on its way to the screen: printable characters and line breaks only (core/ansi.ts). */
function printable(text: string): string {
  return terminalText(text).replace(/\t/g, " ");
}

/**
 * The inbox in the dashboard: the open items (count in the status bar), a panel
 * opened with `i` listing them with the selected one in full, and answers from the
 * keyboard: `a` approves, `d` denies (asks why), Enter answers an input item one
 * question at a time (each prompt starts with the default). Answers go through the
 * same client as `claude-agent answer`.
 */
export class InboxPanel {
  items: readonly InboxItem[] = [];
  private readonly box: Widgets.BoxElement;
  private readonly refresher: Refresher;
  private selected = 0;
  private visible = false;

  constructor(
    screen: Widgets.Screen,
    private readonly link: SwarmLink,
    private readonly overlays: Overlays,
    private readonly changed: () => void,
    private readonly tell: (text: string, level?: "info" | "warn" | "error") => void,
    private readonly log: LogFn,
  ) {
    this.box = blessed.box({
      parent: screen,
      hidden: true,
      label: " inbox ",
      border: { type: "line" },
      tags: true,
      wrap: true,
      top: "center",
      left: "center",
      width: "90%",
      height: "80%",
      padding: { left: 1, right: 1 },
      style: { border: { fg: "magenta" }, label: { fg: "magenta", bold: true } },
    });
    this.refresher = new Refresher(() => this.read(), { periodMs: PERIOD_MS, minIntervalMs: 200, onError: (error) => log("inbox.error", { error }) });
  }

  start(): void {
    this.refresher.start();
  }

  stop(): Promise<void> {
    return this.refresher.stop();
  }

  get open(): number {
    return this.items.length;
  }

  toggle(): void {
    this.visible = !this.visible;
    this.draw();
  }

  /** Keys while the panel is shown; false when it is hidden (or a prompt of ours is open). */
  handle(ch: string | undefined, key: KeyEvent): boolean {
    if (!this.visible || this.overlays.open) return false;
    const item = this.items[this.selected];
    if (key.name === "escape" || ch === "i" || ch === "q") this.visible = false;
    else if (key.name === "up" || ch === "k") this.selected = Math.max(0, this.selected - 1);
    else if (key.name === "down" || ch === "j") this.selected = Math.min(Math.max(0, this.items.length - 1), this.selected + 1);
    else if (item?.kind === "approval" && ch === "a") this.send(item, { word: "approve" });
    else if (item?.kind === "approval" && ch === "d")
      this.overlays.prompt(
        `deny ${item.id}: why? (Enter sends, Esc cancels)`,
        "",
        (reason) => reason !== null && this.send(item, { word: "deny", ...(reason.trim() !== "" && { reason }) }),
      );
    else if (item?.kind === "input" && key.name === "enter") this.askAll(item, 0, {});
    this.draw();
    return true;
  }

  private askAll(item: InboxItem, index: number, values: Record<string, string>): void {
    const q = item.questions[index];
    if (q === undefined) return this.send(item, { values });
    const hint = q.choices !== undefined ? ` [${q.choices.join("/")}]` : "";
    this.overlays.prompt(`${item.id} ${q.name}: ${printable(q.prompt)}${hint}`, q.default ?? "", (value) => {
      if (value === null) return this.tell(`answer to ${item.id} abandoned`, "warn");
      this.askAll(item, index + 1, { ...values, [q.name]: value });
    });
  }

  private send(item: InboxItem, given: Omit<GivenAnswer, "by">): void {
    const link = this.link.current;
    if (!link) return this.tell("the swarm is not running", "warn");
    const workflows = new WorkflowClient(link.swarm.client);
    new InboxClient(link.swarm.client, workflows)
      .answer(item.id, { ...given, by: `tui:${process.env.USER ?? "unknown"}` })
      .then(
        () => this.tell(`answered ${item.id}`),
        (error: unknown) => {
          this.log("inbox.answer.failed", { item: item.id, error });
          this.tell((error as Error).message ?? String(error), "error");
        },
      )
      .finally(() => {
        void workflows.close();
        this.refresher.request();
      });
  }

  private async read(): Promise<void> {
    const link = this.link.current;
    if (!link) {
      this.items = [];
      return this.changed();
    }
    const workflows = new WorkflowClient(link.swarm.client);
    this.items = await new InboxClient(link.swarm.client, workflows).list();
    this.selected = Math.min(this.selected, Math.max(0, this.items.length - 1));
    this.draw();
    this.changed();
  }

  private draw(): void {
    if (!this.visible) {
      if (!this.box.hidden) this.box.hide();
      return;
    }
    const lines =
      this.items.length === 0
        ? ["{gray-fg}nothing waits for you{/gray-fg}"]
        : this.items.map((item, i) => {
            const mark = item.escalatedAt !== null ? "{red-fg}!{/red-fg}" : " ";
            const line = `${mark} ${item.id} ${item.kind.padEnd(8)} ${escapeTags(printable(item.title))}`;
            return i === this.selected ? `{inverse}${line}{/inverse}` : line;
          });
    const item = this.items[this.selected];
    if (item !== undefined) {
      lines.push("", ...escapeTags(printable(item.text)).split("\n"));
      for (const q of item.questions)
        lines.push(
          `  ${escapeTags(q.name)}: ${escapeTags(printable(q.prompt))}${q.default !== undefined ? ` {gray-fg}(default ${escapeTags(printable(q.default))}){/gray-fg}` : ""}`,
        );
      lines.push("", `{gray-fg}${item.kind === "approval" ? "a approve  d deny" : "⏎ answer the questions"}  ↑↓ select  Esc close{/gray-fg}`);
    }
    this.box.setContent(lines.join("\n"));
    this.box.show();
    this.box.setFront();
    this.changed();
  }
}

import type { Widgets } from "blessed";
import { terminalLine, terminalText } from "../core/index.js";
import { fitScreen } from "./ansi-screen.js";
import { keyHints } from "./keys.js";
import type { Layout } from "./layout.js";
import { switchHint, type LowerPanel } from "./panels.js";
import { visibleSessions, type DashboardState } from "./state.js";
import { agentColumns, agentHeader, agentRow } from "./views/agents-view.js";
import { barChart } from "./views/chart.js";
import { eventLine } from "./views/events-view.js";
import { fitLines, panelTitle, scrollHint } from "./views/panel-text.js";
import { queueLines } from "./views/queues-view.js";
import { statusLine } from "./views/status-bar.js";
import { taskLines } from "./views/tasks-view.js";
import { escapeTags } from "./views/text.js";
import { workflowLines, workflowTitle } from "./views/workflows-view.js";

/**
 * Draws the model into the layout. Content is only handed to blessed when it
 * changed (blessed re-parses content on every set), then one `screen.render()`
 * writes the difference to the terminal. Everything but the mirrored pane goes
 * through `terminalText` on its way in (the views already escape blessed's
 * tags in others' text); the pane's capture keeps only its colours (cropLine).
 */
export class Renderer {
  private readonly last = new Map<Widgets.BlessedElement, string>();
  /** Set while the renderer moves the list's selection, so the list's own event is not taken for a click. */
  selecting = false;
  private dirty = false;

  private readonly lowColor: boolean;

  constructor(
    private readonly layout: Layout,
    private readonly state: DashboardState,
  ) {
    this.lowColor = layout.lowColor;
  }

  /** Draws what changed; writes to the terminal only when something did (or `force`). */
  render(now = Date.now(), force = false): void {
    this.dirty = force;
    this.agents(now);
    this.pane();
    this.queues();
    this.chart(now);
    this.lowerPanel("workflows", workflowTitle(this.state.workflows), (inner) => workflowLines(this.state.workflows, inner.width, now, inner.height));
    // The newest events are the last lines: the log shows its tail.
    this.lowerPanel("events", ["events"], (inner) => this.state.events.slice(-inner.height).map(eventLine));
    this.lowerPanel("tasks", ["tasks", "newest first"], (inner) => taskLines(this.state.tasks, inner.width, now));
    this.set(this.layout.status, statusLine(this.state, Number(this.layout.screen.width), keyHints(), now));
    this.banner();
    if (this.dirty) this.layout.screen.render();
  }

  /** Forgets what was drawn, so the next render sets everything (after a resize or an attach). */
  invalidate(): void {
    this.last.clear();
  }

  private set(element: Widgets.BlessedElement, text: string, label?: string): void {
    // With 8 colours blessed turns gray into black: on most terminals, invisible.
    const coloured = this.lowColor ? text.replace(/\{(\/?)gray-fg\}/g, "{$1white-fg}") : text;
    const content = element === this.layout.pane ? coloured : terminalText(coloured);
    if (label !== undefined) label = terminalLine(label);
    const key = label === undefined ? content : `${label}\u0000${content}`;
    if (this.last.get(element) === key) return;
    this.last.set(element, key);
    this.dirty = true;
    if (label !== undefined) element.setLabel(label);
    element.setContent(content);
  }

  private agents(now: number): void {
    const { agentsList, agentsHeader, agents } = this.layout;
    const rows = visibleSessions(this.state);
    // One column spare: blessed wraps a tagged line that fills its box exactly.
    const width = Number(agentsList.width) - 1;
    const columns = agentColumns(
      width,
      Math.max(0, ...rows.map((r) => r.name.length)),
      rows.some((r) => r.budget),
    );
    this.set(agentsHeader, agentHeader(columns));
    const items = rows.map((row) => terminalLine(agentRow(row, columns, row.currentTask ? this.state.taskTexts.get(row.currentTask) : undefined, now)));
    if (items.length === 0) items.push(this.state.snapshot ? "{gray-fg}no agent matches the filter{/gray-fg}" : "{gray-fg}waiting for the swarm…{/gray-fg}");
    const joined = items.join("\n");
    if (this.last.get(agentsList) !== joined) {
      this.last.set(agentsList, joined);
      this.dirty = true;
      // setItems re-selects the list's old index and reports it: that is not the user's choice.
      this.selecting = true;
      agentsList.setItems(items);
      this.selecting = false;
    }
    let index = rows.findIndex((row) => row.name === this.state.selected);
    if (index < 0 && rows.length > 0) {
      index = 0;
      this.state.selected = rows[0]!.name;
    }
    if (index >= 0 && (agentsList as unknown as { selected: number }).selected !== index) {
      this.selecting = true;
      agentsList.select(index);
      this.selecting = false;
      this.dirty = true;
    }
    // After the selection moved the list: which rows it scrolled past tells the hint.
    const busy = rows.filter((r) => r.state === "busy").length;
    const offset = (agentsList as unknown as { childBase?: number }).childBase ?? 0;
    const hint = scrollHint(rows.length, offset, Number(agentsList.height));
    const parts = this.state.snapshot
      ? ["agents", `${rows.length} session${rows.length === 1 ? "" : "s"}`, `${busy} busy`, ...(this.state.filter ? [`filter "${this.state.filter}"`] : [])]
      : ["agents"];
    const label = panelTitle(parts, Number(agents.width), hint || undefined);
    if (this.last.get(agents) !== label) {
      this.last.set(agents, label);
      this.dirty = true;
      agents.setLabel(terminalLine(label));
    }
  }

  /** One lower panel, when shown: its title (with the key that switches it) and its lines, cut with a `↓ N more` when they do not fit. */
  private lowerPanel(name: LowerPanel, title: readonly string[], lines: (inner: { width: number; height: number }) => string[]): void {
    const box = this.layout.lower[name];
    if (box.hidden) return;
    const inner = this.layout.inner(box);
    const label = panelTitle(title, Number(box.width), switchHint(name, this.layout.tabbed));
    this.set(box, fitLines(lines(inner), inner.height).join("\n"), label);
  }

  private pane(): void {
    const { pane } = this.state;
    const inner = this.layout.inner(this.layout.pane);
    const label = panelTitle(pane.session ? ["pane", `${pane.session}${pane.paneId ? ` (${pane.paneId})` : ""}`] : ["pane"], Number(this.layout.pane.width));
    const content = pane.capture !== null ? fitScreen(pane.capture, inner.width, inner.height).join("\n") : pane.note;
    this.set(this.layout.pane, content, label);
  }

  private queues(): void {
    const queues = this.state.snapshot?.agents.map((a) => a.queue) ?? [];
    this.lowerPanel("queues", ["queues"], (inner) => queueLines(queues, inner.width));
  }

  private chart(now: number): void {
    const { done, failed } = this.state.throughput.series(now, 60);
    const perMinute = done.at(-1) ?? 0;
    const total = done.reduce((a, b) => a + b, 0);
    const failedTotal = failed.reduce((a, b) => a + b, 0);
    // The hour's totals say more than this minute's rate: on a narrow panel the rate goes first.
    const title = ["throughput", `60m ${total} done${failedTotal ? `, ${failedTotal} failed` : ""}`, `now ${perMinute}/min`];
    this.lowerPanel("throughput", title, (inner) =>
      barChart(done, inner.width, inner.height).map((line, i, all) =>
        i < all.length - 1 ? `{green-fg}${escapeTags(line)}{/green-fg}` : `{gray-fg}${escapeTags(line)}{/gray-fg}`,
      ),
    );
  }

  private banner(): void {
    const { banner } = this.layout;
    const waiting = this.state.link.status === "waiting";
    if (waiting) {
      const detail = this.state.link.detail || "connecting…";
      this.set(
        banner,
        `{bold}The swarm is not running{/bold}\n${escapeTags(detail)}\nhome: ${escapeTags(this.state.home)}\n{gray-fg}Waiting for it (start it with \`claude-agent up\`); q quits.{/gray-fg}`,
      );
      if (banner.hidden) {
        banner.show();
        this.dirty = true;
      }
    } else if (!banner.hidden) {
      banner.hide();
      this.dirty = true;
    }
  }
}

import { helpLines, type KeyEvent } from "./keys.js";
import type { Layout } from "./layout.js";
import { LineEditor } from "./line-editor.js";
import { escapeTags } from "./views/text.js";

export type Overlay =
  | { kind: "prompt"; title: string; editor: LineEditor; live?: (value: string) => void; done: (value: string | null) => void }
  | { kind: "confirm"; question: string; yes: () => void }
  | { kind: "help" };

/**
 * The one overlay open at a time (a one-line prompt, a y/n question or the
 * help) over the dashboard: while one is open it takes every key.
 */
export class Overlays {
  private current: Overlay | null = null;
  private stale = false;

  constructor(
    private readonly layout: Layout,
    private readonly request: () => void,
  ) {}

  get open(): boolean {
    return this.current !== null;
  }

  prompt(title: string, initial: string, done: (value: string | null) => void, live?: (value: string) => void): void {
    this.show({ kind: "prompt", title, editor: new LineEditor(initial), live, done });
  }

  confirm(question: string, yes: () => void): void {
    this.show({ kind: "confirm", question, yes });
  }

  help(): void {
    this.show({ kind: "help" });
  }

  /** Takes a key while an overlay is open; false when none is. */
  handle(ch: string | undefined, key: KeyEvent): boolean {
    const overlay = this.current;
    if (!overlay) return false;
    // blessed reports one Enter twice (`enter`, then `return`): the second must not close what the first opened.
    if (key.name === "return") return true;
    if (overlay.kind === "prompt") {
      const result = overlay.editor.handle(ch, key);
      if (result === "editing") {
        overlay.live?.(overlay.editor.value);
        this.touch();
        return true;
      }
      this.show(null);
      overlay.done(result === "submit" ? overlay.editor.value : null);
      return true;
    }
    this.show(null);
    if (overlay.kind === "confirm" && (ch === "y" || ch === "Y")) overlay.yes();
    return true;
  }

  /** Needs drawing after a resize or a redraw of everything. */
  touch(): void {
    this.stale = true;
    this.request();
  }

  /** Draws the overlay if it changed; returns whether it did. */
  draw(): boolean {
    if (!this.stale) return false;
    this.stale = false;
    const { prompt, help, screen } = this.layout;
    const overlay = this.current;
    if (overlay?.kind === "prompt" || overlay?.kind === "confirm") {
      prompt.setLabel(` ${escapeTags(overlay.kind === "prompt" ? overlay.title : "confirm").replace(/\n/g, " ")} `);
      prompt.setContent(overlay.kind === "prompt" ? `${escapeTags(overlay.editor.value)}{inverse} {/inverse}` : escapeTags(overlay.question));
      prompt.show();
      prompt.setFront();
    } else {
      prompt.hide();
    }
    if (overlay?.kind === "help") {
      const lines = [...helpLines().map(escapeTags), "", "{gray-fg}Mouse: click a row to select it. Any key closes this help.{/gray-fg}"];
      help.height = Math.min(lines.length + 2, Number(screen.height) - 2);
      help.setContent(lines.join("\n"));
      help.show();
      help.setFront();
    } else {
      help.hide();
    }
    return true;
  }

  private show(overlay: Overlay | null): void {
    this.current = overlay;
    this.touch();
  }
}

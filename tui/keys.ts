/** Every key the dashboard answers to, in one table; the help overlay and the status bar are drawn from it. */

export type Command =
  | "up"
  | "down"
  | "pageUp"
  | "pageDown"
  | "top"
  | "bottom"
  | "attach"
  | "submit"
  | "cancel"
  | "retry"
  | "restart"
  | "filter"
  | "clearFilter"
  | "nextPanel"
  | "previousPanel"
  | "tasks"
  | "inbox"
  | "help"
  | "quit";

export interface Binding {
  /** blessed key names (`up`, `enter`, `C-c`) or single printable characters (case matters). */
  readonly keys: readonly string[];
  /** How the key is written in help and hints. */
  readonly label: string;
  readonly command: Command;
  readonly help: string;
  /** Shown in the status bar's key hints. */
  readonly hint?: string;
}

export const BINDINGS: readonly Binding[] = [
  { keys: ["up", "k"], label: "↑ k", command: "up", help: "select the previous agent", hint: "select" },
  { keys: ["down", "j"], label: "↓ j", command: "down", help: "select the next agent" },
  { keys: ["pageup"], label: "PgUp", command: "pageUp", help: "a page up" },
  { keys: ["pagedown"], label: "PgDn", command: "pageDown", help: "a page down" },
  { keys: ["home", "g"], label: "Home g", command: "top", help: "the first agent" },
  { keys: ["end", "G"], label: "End G", command: "bottom", help: "the last agent" },
  { keys: ["enter", "a"], label: "⏎ a", command: "attach", help: "attach to the agent's tmux session (detach with C-b d)", hint: "attach" },
  { keys: ["s"], label: "s", command: "submit", help: "submit a task to the selected agent", hint: "submit" },
  { keys: ["c"], label: "c", command: "cancel", help: "cancel the task the selected session is running", hint: "cancel" },
  { keys: ["r"], label: "r", command: "retry", help: "retry the agent's last failed task (same text, same agent)", hint: "retry" },
  { keys: ["R"], label: "R", command: "restart", help: "restart the session (kills it; the bridge starts it again)", hint: "restart" },
  { keys: ["/"], label: "/", command: "filter", help: "filter the agents (Esc clears)", hint: "filter" },
  { keys: ["escape"], label: "Esc", command: "clearFilter", help: "clear the filter" },
  { keys: ["tab"], label: "Tab", command: "nextPanel", help: "the next lower panel (on a small terminal they take turns)", hint: "panels" },
  { keys: ["S-tab"], label: "S-Tab", command: "previousPanel", help: "the previous lower panel" },
  { keys: ["t"], label: "t", command: "tasks", help: "the recent tasks and their results (t again: events)", hint: "tasks" },
  { keys: ["i"], label: "i", command: "inbox", help: "the inbox: what waits for you (a approve, d deny, ⏎ answer)", hint: "inbox" },
  { keys: ["?"], label: "?", command: "help", help: "this help", hint: "help" },
  { keys: ["q", "C-c"], label: "q", command: "quit", help: "quit the dashboard (the swarm keeps running)", hint: "quit" },
];

export interface KeyEvent {
  readonly name?: string;
  readonly full?: string;
  readonly shift?: boolean;
}

/** The command bound to a keypress, if any. Printable keys match on the character itself, so `R` and `r` differ. */
export function commandFor(ch: string | undefined, key: KeyEvent): Command | null {
  const printable = ch && ch.length === 1 && ch >= " " && ch !== "\x7f" ? ch : null;
  for (const binding of BINDINGS) {
    for (const k of binding.keys) {
      if (k.length === 1 ? printable === k : key.full === k) return binding.command;
    }
  }
  return null;
}

/** The status bar's key hints, e.g. `↑ k select  ⏎ a attach …`. */
export function keyHints(): string {
  return BINDINGS.filter((b) => b.hint)
    .map((b) => `${b.label} ${b.hint}`)
    .join("  ");
}

export function helpLines(): string[] {
  const width = Math.max(...BINDINGS.map((b) => b.label.length));
  return BINDINGS.map((b) => `${b.label.padEnd(width)}  ${b.help}`);
}

/** How far a navigation command moves the selection, `page` rows being one screenful; null for any other command. */
export function moveOf(command: Command, page: number): number | "top" | "bottom" | null {
  const moves: Partial<Record<Command, number | "top" | "bottom">> = { up: -1, down: 1, pageUp: -page, pageDown: page, top: "top", bottom: "bottom" };
  return moves[command] ?? null;
}

import type { AgentActions } from "./agent-actions.js";
import type { DashboardData } from "./data.js";
import type { InboxPanel } from "./inbox-panel.js";
import { commandFor, moveOf, type Command, type KeyEvent } from "./keys.js";
import type { Layout } from "./layout.js";
import type { Overlays } from "./overlays.js";
import { nextPanel, toggleTasks, type LowerPanel } from "./panels.js";
import { rowAfter, selectedRow, type DashboardState, type SessionRow } from "./state.js";

/** The dashboard's pieces the keys drive, and what they ask of the dashboard itself. */
export interface KeyCommandsDeps {
  readonly state: DashboardState;
  readonly layout: Layout;
  readonly data: DashboardData;
  readonly overlays: Overlays;
  readonly inbox: InboxPanel;
  readonly actions: AgentActions;
  /** Asks for a draw; the refresher merges a burst of them into one. */
  readonly request: () => void;
  /** Re-places every panel, for a lower panel that moved in or out. */
  readonly redrawAll: () => void;
  readonly tell: (text: string, level?: "info" | "warn" | "error") => void;
  /** Hands the terminal to the row's session until the user detaches. */
  readonly attach: (row: SessionRow) => void;
  readonly quit: () => void;
}

/**
 * What a keypress does, once keys.ts has named its command: an open overlay,
 * then the inbox, take it first; otherwise it moves the selection, switches
 * the lower panel, sets the filter, or hands an agent command to AgentActions
 * or to the attach. Kept out of app.ts, which builds the pieces and tears them
 * down, so that what each key does is read (and changed) in one place.
 */
export class KeyCommands {
  constructor(private readonly deps: KeyCommandsDeps) {}

  onKey(ch: string | undefined, key: KeyEvent): void {
    const { overlays, inbox } = this.deps;
    if (overlays.handle(ch, key) || inbox.handle(ch, key)) return;
    const command = commandFor(ch, key);
    if (command) this.execute(command);
  }

  /** Selects the agent's row (a key, or a click in the list); the pane mirror follows it. */
  select(name: string | null): void {
    const { state, data, request } = this.deps;
    if (!name || name === state.selected) return;
    state.selected = name;
    data.mirror.select(name);
    request();
  }

  private execute(command: Command): void {
    const { state, layout, overlays, request } = this.deps;
    const page = Math.max(1, Number(layout.agentsList.height) - 1);
    const row = selectedRow(state);
    const move = moveOf(command, page);
    if (move !== null) return this.select(rowAfter(state, move)?.name ?? null);
    switch (command) {
      case "help":
        return overlays.help();
      case "inbox":
        return this.deps.inbox.toggle();
      case "quit":
        return this.deps.quit();
      case "nextPanel":
      case "previousPanel":
        return this.showPanel(nextPanel(state.lower, layout.tabbed, command === "nextPanel" ? 1 : -1));
      case "tasks":
        return this.showPanel(toggleTasks(state.lower));
      case "clearFilter":
        if (!state.filter) return;
        state.filter = "";
        return request();
      case "filter":
        return overlays.prompt(
          "filter agents (Enter keeps, Esc clears)",
          state.filter,
          (value) => {
            state.filter = value ?? "";
            request();
          },
          (value) => {
            state.filter = value;
          },
        );
    }
    if (!row) return this.deps.tell("select an agent first", "warn");
    if (command === "attach") return this.deps.attach(row);
    this.deps.actions.run(command, row);
  }

  /** Brings a lower panel into its place (Tab, t). */
  private showPanel(panel: LowerPanel): void {
    this.deps.state.lower = panel;
    this.deps.redrawAll();
    if (panel === "tasks") this.deps.data.tasksWanted();
    this.deps.request();
  }
}

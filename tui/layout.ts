import blessed from "blessed";
import type { Widgets } from "blessed";
import { LOWER_PANELS, type LowerPanel } from "./panels.js";

/**
 * The dashboard's whole layout, in one file (the gtop way): which panels
 * exist, how they look, and where each goes for a terminal of a given size.
 * A resize re-runs `computeGeometry` and moves every panel.
 */

export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface Geometry {
  readonly agents: Rect;
  readonly pane: Rect;
  /** Where each lower panel goes; null for those hidden at this size. */
  readonly panels: Readonly<Record<LowerPanel, Rect | null>>;
  /** The lower panels take turns in one place (Tab). */
  readonly tabbed: boolean;
  readonly status: Rect;
  readonly prompt: Rect;
}

/** Below this width the panels stack in one column. */
export const TWO_COLUMNS_MIN_WIDTH = 100;
/** Below this width or this height, the lower panels take turns in one place: four of them would get two or three lines each. */
export const ALL_PANELS_MIN_ROWS = 30;

/** Splits `total` into parts proportional to `weights`, each at least `min`, summing to exactly `total`. */
export function split(total: number, weights: readonly number[], min = 3): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(min, Math.floor((total * w) / sum)));
  let excess = sizes.reduce((a, b) => a + b, 0) - total;
  // Give back or take from the last parts first: the events log absorbs rounding.
  for (let i = sizes.length - 1; excess !== 0 && i >= 0; i--) {
    const change = excess > 0 ? Math.min(excess, Math.max(0, sizes[i]! - min)) : excess;
    sizes[i]! -= change;
    excess -= change;
  }
  return sizes;
}

function stack(left: number, top: number, width: number, heights: readonly number[]): Rect[] {
  let y = top;
  return heights.map((height) => {
    const rect = { left, top: y, width, height };
    y += height;
    return rect;
  });
}

/** Every lower panel hidden but those given a place. */
function only(places: Partial<Record<LowerPanel, Rect>>): Record<LowerPanel, Rect | null> {
  return Object.fromEntries(LOWER_PANELS.map((name) => [name, places[name] ?? null])) as Record<LowerPanel, Rect | null>;
}

/** Where everything goes on a `cols`×`rows` terminal, `lower` being the lower panel the user chose (Tab, t). */
export function computeGeometry(cols: number, rows: number, lower: LowerPanel = "events"): Geometry {
  const body = Math.max(1, rows - 1);
  const status = { left: 0, top: rows - 1, width: cols, height: 1 };
  const prompt = { left: 0, top: Math.max(0, rows - 4), width: cols, height: 3 };
  const tabbed = cols < TWO_COLUMNS_MIN_WIDTH || rows < ALL_PANELS_MIN_ROWS;
  if (cols >= TWO_COLUMNS_MIN_WIDTH) {
    const leftWidth = Math.round(cols * 0.6);
    const [agents, pane] = stack(0, 0, leftWidth, split(body, [42, 58]));
    const right = { left: leftWidth, top: 0, width: cols - leftWidth, height: body };
    if (tabbed) return { agents: agents!, pane: pane!, panels: only({ [lower]: right }), tabbed, status, prompt };
    const [queues, throughput, workflows, last] = stack(right.left, 0, right.width, split(body, [24, 22, 20, 34]));
    const panels = only({ queues, throughput, workflows, [lower === "tasks" ? "tasks" : "events"]: last });
    return { agents: agents!, pane: pane!, panels, tabbed, status, prompt };
  }
  // One column: the agents table, the pane, then one lower panel; the pane gives up its lines first.
  const [agentsHeight, lowerHeight, paneHeight] = split(body, [40, 35, 25], Math.min(3, Math.floor(body / 3)));
  const [agents, pane, chosen] = stack(0, 0, cols, [agentsHeight!, paneHeight!, lowerHeight!]);
  return { agents: agents!, pane: pane!, panels: only({ [lower]: chosen }), tabbed, status, prompt };
}

export interface Layout {
  readonly screen: Widgets.Screen;
  readonly agents: Widgets.BoxElement;
  readonly agentsHeader: Widgets.BoxElement;
  readonly agentsList: Widgets.ListElement;
  readonly pane: Widgets.BoxElement;
  /** The lower panels, shown or hidden by `relayout`. */
  readonly lower: Readonly<Record<LowerPanel, Widgets.BoxElement>>;
  readonly status: Widgets.BoxElement;
  readonly prompt: Widgets.BoxElement;
  readonly help: Widgets.BoxElement;
  readonly banner: Widgets.BoxElement;
  /** True on an 8-colour terminal (TERM=screen), where gray would come out black. */
  readonly lowColor: boolean;
  /** Inner size (inside the border) of a panel, for the views that fit text to it. */
  inner(box: Widgets.BoxElement): { width: number; height: number };
  /** Whether the lower panels take turns in one place at the current size (set by `relayout`). */
  readonly tabbed: boolean;
  /** Moves every panel to where the current terminal size puts it, `shown` being the lower panel the user chose. */
  relayout(shown?: LowerPanel): void;
}

const BORDER = { type: "line" } as const;
function panelStyle(border: string) {
  return { border: { fg: border }, label: { fg: "cyan", bold: true } };
}

function panel(screen: Widgets.Screen, label: string, border: string, extra: Widgets.BoxOptions = {}): Widgets.BoxElement {
  // No wrapping: a dashboard line that does not fit is cut, it never pushes the next one down.
  return blessed.box({ parent: screen, label: ` ${label} `, border: BORDER, tags: true, wrap: false, style: panelStyle(border), ...extra });
}

export function createLayout(screen: Widgets.Screen): Layout {
  const lowColor = Number((screen as unknown as { tput: { colors?: number } }).tput.colors ?? 256) < 16;
  const muted = lowColor ? "white" : "gray";
  const agents = panel(screen, "agents", muted);
  const agentsHeader = blessed.box({ parent: screen, tags: true, height: 1 });
  const agentsList = blessed.list({
    parent: screen,
    tags: true,
    mouse: true,
    keys: false,
    style: { selected: { bg: "blue", fg: "white", bold: true }, item: { fg: "white" } },
  });
  // Pane content is a capture with its own colour escapes: never parse it for tags.
  const pane = panel(screen, "pane", "blue", { tags: false });
  const lower = Object.fromEntries(LOWER_PANELS.map((name) => [name, panel(screen, name, muted)])) as Record<LowerPanel, Widgets.BoxElement>;
  const status = blessed.box({ parent: screen, tags: true, style: { bg: "black", fg: "white" } });
  const prompt = panel(screen, "input", "yellow", { hidden: true });
  const help = panel(screen, "keys", "yellow", {
    hidden: true,
    top: "center",
    left: "center",
    width: 84,
    height: 24,
    padding: { left: 1, right: 1 },
  });
  const banner = panel(screen, "claude-agent", "red", {
    hidden: true,
    top: "center",
    left: "center",
    width: 76,
    height: 8,
    align: "center",
    valign: "middle",
    wrap: true,
  });

  const place = (box: Widgets.BoxElement, rect: Rect): void => {
    box.left = rect.left;
    box.top = rect.top;
    box.width = rect.width;
    box.height = rect.height;
  };

  let shownLower: LowerPanel = "events";
  let tabbed = false;
  const layout: Layout = {
    screen,
    agents,
    agentsHeader,
    agentsList,
    pane,
    lower,
    status,
    prompt,
    help,
    banner,
    lowColor,
    inner: (box) => ({ width: Math.max(0, Number(box.width) - 2), height: Math.max(0, Number(box.height) - 2) }),
    get tabbed() {
      return tabbed;
    },
    relayout(shown = shownLower) {
      shownLower = shown;
      const g = computeGeometry(Number(screen.width), Number(screen.height), shown);
      tabbed = g.tabbed;
      place(agents, g.agents);
      place(agentsHeader, { left: g.agents.left + 1, top: g.agents.top + 1, width: Math.max(1, g.agents.width - 2), height: 1 });
      place(agentsList, { left: g.agents.left + 1, top: g.agents.top + 2, width: Math.max(1, g.agents.width - 2), height: Math.max(1, g.agents.height - 3) });
      place(pane, g.pane);
      for (const name of LOWER_PANELS) {
        const rect = g.panels[name];
        if (rect) {
          place(lower[name], rect);
          lower[name].show();
        } else lower[name].hide();
      }
      place(status, g.status);
      place(prompt, g.prompt);
      help.width = Math.min(84, Number(screen.width) - 2);
      help.height = Math.min(24, Number(screen.height) - 2);
      banner.width = Math.min(76, Number(screen.width) - 2);
    },
  };
  layout.relayout();
  return layout;
}

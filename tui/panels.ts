/**
 * The dashboard's lower panels and which one shows where. On a big terminal
 * queues, throughput and workflows each have a place, and the last place
 * shows events or tasks; on a small one (below 100 columns or 30 rows) the
 * five take turns in one place, switched with Tab.
 */

export const LOWER_PANELS = ["queues", "throughput", "workflows", "events", "tasks"] as const;
export type LowerPanel = (typeof LOWER_PANELS)[number];

/** The panels that share the last place of the big layout. */
const SHARED: readonly LowerPanel[] = ["events", "tasks"];

/** The panel Tab (`step` 1) or Shift-Tab (`step` -1) brings: all five in turn when they share one place, else events ⇄ tasks. */
export function nextPanel(current: LowerPanel, tabbed: boolean, step: 1 | -1 = 1): LowerPanel {
  const ring = tabbed ? LOWER_PANELS : SHARED;
  const at = Math.max(0, ring.indexOf(current));
  return ring[(at + step + ring.length) % ring.length]!;
}

/** `t`: the tasks view, or back to events from it. */
export function toggleTasks(current: LowerPanel): LowerPanel {
  return current === "tasks" ? "events" : "tasks";
}

/** The hint a panel's title ends with: the key that brings the next panel into its place, or nothing. */
export function switchHint(panel: LowerPanel, tabbed: boolean): string | undefined {
  if (tabbed) return `Tab: ${nextPanel(panel, true)}`;
  return SHARED.includes(panel) ? `t: ${toggleTasks(panel)}` : undefined;
}

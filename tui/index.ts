import type { TuiOptions } from "./app.js";

export type { TuiOptions } from "./app.js";
export { watchStatus, type WatchOptions } from "./watch-status.js";

/** The dashboard. Loaded lazily, so `status --watch` never loads blessed. */
export async function runTui(options: TuiOptions = {}): Promise<void> {
  return (await import("./app.js")).runTui(options);
}

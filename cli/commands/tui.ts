import { runTui } from "../../tui/index.js";
import type { GlobalOptions } from "../context.js";

/** `claude-agent tui`: the dashboard; it waits for the swarm when none runs, and quits with q. */
export async function tui(options: GlobalOptions): Promise<void> {
  await runTui({ home: options.home });
}

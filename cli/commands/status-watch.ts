import { UsageError } from "../../core/index.js";
import { watchStatus } from "../../tui/index.js";
import type { GlobalOptions } from "../context.js";

/** The smallest interval accepted: each snapshot is a handful of Redis reads, but a log need not fill faster. */
const MIN_INTERVAL_SEC = 0.2;

export function parseInterval(raw: string | undefined): number {
  if (raw === undefined) return 2;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < MIN_INTERVAL_SEC) {
    throw new UsageError(`--interval: expected a number of seconds ≥ ${MIN_INTERVAL_SEC}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** `claude-agent status --watch [--interval s]`: a plain, non-interactive live view until Ctrl-C. */
export async function statusWatch(options: GlobalOptions & { interval?: string; json?: boolean; agent?: string }): Promise<void> {
  if (options.json)
    throw new UsageError("--watch and --json do not go together", {
      hint: "For a JSON feed, run `claude-agent status --json` in a loop or `claude-agent logs --follow --json`.",
    });
  await watchStatus({ home: options.home, intervalSec: parseInterval(options.interval), agent: options.agent });
}

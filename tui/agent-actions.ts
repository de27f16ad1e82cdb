import type { LogFn } from "../core/index.js";
import { cancelCurrent, restartSession, retryLastFailed, submitTask } from "./actions.js";
import type { Command } from "./keys.js";
import type { Overlays } from "./overlays.js";
import type { Link, SwarmLink } from "./sources/swarm-link.js";
import type { SessionRow } from "./state.js";

type Tell = (text: string, level?: "info" | "warn" | "error") => void;

/**
 * The keys that act on the selected agent through the swarm (submit, cancel,
 * retry, restart): asks what it needs in an overlay, runs the action, reports
 * its outcome in the status bar and asks for fresh data after it.
 */
export class AgentActions {
  constructor(
    private readonly link: SwarmLink,
    private readonly overlays: Overlays,
    private readonly refresh: () => void,
    private readonly tell: Tell,
    private readonly log: LogFn,
  ) {}

  /** Runs `command` on `row`'s agent; any other command is not an agent action and is ignored. */
  run(command: Command, row: SessionRow): void {
    switch (command) {
      case "submit":
        return this.overlays.prompt(`submit a task to ${row.agent} (Enter sends, Esc cancels)`, "", (text) => {
          if (text?.trim()) this.act((link) => submitTask(link, row.agent, text));
        });
      case "cancel":
        return this.act((link) => cancelCurrent(link, row.name, row.currentTask));
      case "retry":
        return this.act((link) => retryLastFailed(link, row.agent));
      case "restart":
        return this.overlays.confirm(`restart ${row.name}? Its tmux session is killed and the bridge starts it again. (y/n)`, () => {
          this.act((link) => restartSession(link, row.name));
        });
    }
  }

  /** Runs an action against the swarm and reports its outcome in the status bar. */
  private act(action: (link: Link) => Promise<string>): void {
    const link = this.link.current;
    if (!link) return this.tell("the swarm is not running", "warn");
    action(link)
      .then(
        (text) => this.tell(text),
        (error: unknown) => {
          this.log("action.failed", { error });
          this.tell((error as Error).message ?? String(error), "error");
        },
      )
      .finally(() => this.refresh());
  }
}

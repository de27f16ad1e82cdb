import { LocalControl, serveMcpStdio } from "../../api/index.js";
import { connect } from "../../client/index.js";
import { homeOf, type GlobalOptions } from "../context.js";
import { printError } from "../output.js";

/**
 * `claude-agent mcp`: an MCP server on stdio for the swarm of this home
 * (Claude Code: `claude mcp add swarm -- claude-agent mcp`). Nothing but the
 * protocol goes to stdout. Mutating tool calls are recorded on the event
 * stream as `audit` events with interface `mcp` and actor `local`.
 */
export async function mcp(options: GlobalOptions): Promise<void> {
  const swarm = await connect({ home: homeOf(options).root });
  const control = new LocalControl(swarm.client);
  try {
    await serveMcpStdio(
      control,
      (action, target) =>
        void swarm.client.events
          .publish("audit", { actor: "local", interface: "mcp", action, target })
          .catch((error: unknown) =>
            printError(`warning: the audit event of ${action} was not recorded: ${error instanceof Error ? error.message : String(error)}\n`),
          ),
    );
  } finally {
    await control.close();
    await swarm.close();
  }
}

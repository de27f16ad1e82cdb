import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { ControlPlane } from "../control/types.js";
import { SCOPES } from "../http/route.js";
import { MCP_SERVER_INFO } from "./http.js";
import { registerTools } from "./tools.js";

/**
 * `claude-agent mcp`: the MCP server on stdin/stdout for a local MCP client
 * (Claude Code's `claude mcp add swarm -- claude-agent mcp`). Resolves when
 * the client closes stdin. Every tool is offered: whoever can start it can
 * read the swarm's home anyway.
 */
export async function serveMcpStdio(control: ControlPlane, audit?: (action: string, target: string | undefined) => void): Promise<void> {
  const server = new McpServer(MCP_SERVER_INFO);
  registerTools(server, { control, scopes: SCOPES, ...(audit ? { audit } : {}) });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}

/**
 * POST/GET/DELETE /mcp: the MCP streamable-HTTP transport, stateless (a
 * server and transport per request: no session to keep or leak), behind the
 * same bearer token as the rest of the API; the token's scopes decide which
 * tools exist for it.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod/v4";
import { route, type AnyRoute } from "../http/route.js";
import type { ApiDeps } from "../routes/deps.js";
import { registerTools } from "./tools.js";

export const MCP_SERVER_INFO = { name: "claude-agent", version: "0.1.0" };

export function mcpRoutes(deps: ApiDeps): AnyRoute[] {
  const describe =
    "The MCP streamable-HTTP transport (JSON-RPC). Tools: submit_task, wait_task, get_task, cancel_task, retry_task, list_agents, list_tasks, run_workflow, get_workflow_run, approve, reject (those the token's scopes allow).";
  const handle = route({
    method: "POST",
    url: "/mcp",
    operationId: "mcp",
    summary: "Model Context Protocol endpoint",
    description: describe,
    tag: "mcp",
    scope: "read",
    raw: true,
    body: z.unknown(),
    responses: { 200: { description: "a JSON-RPC response (or an SSE stream of them)", contentType: "application/json" } },
    async handler({ body, request, reply }) {
      const token = request.token!;
      const server = new McpServer(MCP_SERVER_INFO);
      registerTools(server, {
        control: deps.control,
        scopes: token.scopes,
        audit: (action, target) =>
          void deps.control.client.events
            .publish("audit", { actor: token.name, via: "mcp", interface: "mcp", action, target })
            .catch((error: unknown) => deps.log("api.audit-failed", { action, actor: token.name, error })),
      });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      reply.hijack();
      reply.raw.once("close", () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, body);
    },
  });
  const notAllowed = (method: "GET" | "DELETE") =>
    route({
      method,
      url: "/mcp",
      operationId: `mcp${method === "GET" ? "Get" : "Delete"}`,
      summary: `MCP ${method}: not used by this stateless server`,
      tag: "mcp",
      scope: "read",
      raw: true,
      responses: { 405: { description: "this server keeps no MCP sessions and sends no server-initiated messages" } },
      async handler({ reply }) {
        await reply
          .code(405)
          .header("allow", "POST")
          .type("application/json")
          .send(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed." }, id: null }));
      },
    });
  return [handle, notAllowed("GET"), notAllowed("DELETE")];
}

/**
 * The MCP server, driven by real MCP clients: the official MCP Inspector's
 * CLI (over stdio, `claude-agent mcp`, and over streamable HTTP at /mcp with
 * a token), and the real Claude Code (the pinned dev dependency) as an agent
 * of the swarm whose scripted model submits a task to a shell agent through
 * the MCP tools, waits for it and reports its output.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAnthropicServer, type AnthropicServer } from "../fixtures/llm/anthropic.js";
import { CLI } from "../helpers/swarm.js";
import { inspect, inspectorPaths } from "./inspector.js";
import { startApiSwarm, type ApiSwarm } from "./support.js";

const CLAUDE = resolve(import.meta.dirname, "../../node_modules/.bin/claude");
const TOOLS = [
  "submit_task",
  "wait_task",
  "get_task",
  "cancel_task",
  "retry_task",
  "list_agents",
  "list_tasks",
  "run_workflow",
  "get_workflow_run",
  "approve",
  "reject",
];

describe("the MCP server", () => {
  let llm: AnthropicServer;
  let api: ApiSwarm;

  beforeAll(async () => {
    inspectorPaths();
    llm = await startAnthropicServer();
    const mcpConfig = join(process.env.TMPDIR ?? "/tmp", `ca-mcp-${process.pid}.json`);
    // The swarm's home is known only once it exists: the config names it through CLAUDE_AGENT_HOME below.
    writeFileSync(mcpConfig, JSON.stringify({ mcpServers: { swarm: { command: process.execPath, args: [CLI, "mcp"] } } }));
    api = await startApiSwarm(
      "api:\n  listen: 127.0.0.1:0\n",
      `
agents:
  - name: sh
    runtime: shell
    timeout: 60
  - name: coder
    runtime: claude
    command: ${CLAUDE}
    timeout: 120
    args: [--mcp-config, ${mcpConfig}, --allowedTools, "mcp__swarm__submit_task,mcp__swarm__wait_task"]
    env:
      ANTHROPIC_API_KEY: sk-ant-test-0000000000000000000000
      ANTHROPIC_BASE_URL: ${llm.url}
      DISABLE_AUTOUPDATER: 1
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: 1
      MCP_TIMEOUT: 60000
      # Claude Code 2.1.3xx defers MCP tools behind its ToolSearch tool; the scripted model calls them directly.
      ENABLE_TOOL_SEARCH: "false"
`,
    );
    // The agent's MCP server must reach this swarm: its home goes into the agent's config file now that it exists.
    writeFileSync(mcpConfig, JSON.stringify({ mcpServers: { swarm: { command: process.execPath, args: [CLI, "--home", api.swarm.home, "mcp"] } } }));
  }, 400_000);
  afterAll(async () => {
    await api?.swarm.destroy();
    await llm?.close();
  });

  it("lists its tools with descriptions and JSON-schema inputs to the MCP Inspector over stdio", () => {
    const listed = inspect([process.execPath, CLI, "--home", api.swarm.home, "mcp", "--method", "tools/list"]);
    expect(listed.status, listed.stderr).toBe(0);
    const tools = listed.json.tools as { name: string; description: string; inputSchema: { type: string; properties: Record<string, unknown> } }[];
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    for (const tool of tools) {
      expect(tool.description.length).toBeGreaterThan(30);
      expect(tool.inputSchema.type).toBe("object");
    }
    expect(Object.keys(tools.find((t) => t.name === "submit_task")!.inputSchema.properties)).toEqual(
      expect.arrayContaining(["task", "agent", "idempotency_key"]),
    );
  });

  it("submits and waits for a task through the MCP Inspector over stdio", () => {
    const submitted = inspect([
      process.execPath,
      CLI,
      "--home",
      api.swarm.home,
      "mcp",
      "--method",
      "tools/call",
      "--tool-name",
      "submit_task",
      "--tool-arg",
      "task=echo via-stdio-mcp",
      "--tool-arg",
      "agent=sh",
    ]);
    expect(submitted.status, submitted.stderr).toBe(0);
    const { id } = JSON.parse(submitted.json.content[0].text) as { id: string };
    const waited = inspect([
      process.execPath,
      CLI,
      "--home",
      api.swarm.home,
      "mcp",
      "--method",
      "tools/call",
      "--tool-name",
      "wait_task",
      "--tool-arg",
      `id=${id}`,
      "--tool-arg",
      "timeout_seconds=30",
    ]);
    expect(JSON.parse(waited.json.content[0].text)).toMatchObject({ id, status: "completed", exitCode: 0, output: "via-stdio-mcp\n" });
  });

  it("serves the same tools over streamable HTTP at /mcp with a token, as many as the token's scopes allow", async () => {
    const http = (token: string, ...args: string[]) =>
      inspect([`${api.url}/mcp`, "--transport", "http", "--header", `Authorization: Bearer ${token}`, ...args]);
    const all = http(api.token, "--method", "tools/list");
    expect(all.status, all.stderr).toBe(0);
    expect(all.json.tools.map((t: { name: string }) => t.name).sort()).toEqual([...TOOLS].sort());
    const called = http(api.token, "--method", "tools/call", "--tool-name", "submit_task", "--tool-arg", "task=echo via-http-mcp", "--tool-arg", "agent=sh");
    const { id } = JSON.parse(called.json.content[0].text) as { id: string };
    expect((await api.call("GET", `/v1/tasks/${id}?wait=30`)).json).toMatchObject({ status: "completed", output: "via-http-mcp\n" });
    const reader = JSON.parse(api.swarm.cli(["api", "token", "create", "--name", "mcp-reader", "--read-only", "--json"]).stdout) as { token: string };
    const readOnly = http(reader.token, "--method", "tools/list");
    expect(readOnly.json.tools.map((t: { name: string }) => t.name).sort()).toEqual(["get_task", "get_workflow_run", "list_agents", "list_tasks", "wait_task"]);
    const refused = await api.call("POST", "/mcp", {
      token: `cat_${"B".repeat(43)}`,
      body: { jsonrpc: "2.0", id: 1, method: "tools/list" },
      headers: { accept: "application/json, text/event-stream" },
    });
    expect(refused.status).toBe(401);
  });

  it("lets a real Claude Code agent submit a task to a shell agent through the MCP server and report its output", async () => {
    const submitted = await api.call("POST", "/v1/tasks", {
      body: { task: "Run `echo mcp-proof-42` on the sh agent and tell me what it printed. [[swarm]]", agent: "coder" },
    });
    const result = (await api.call("GET", `/v1/tasks/${submitted.json.id}?wait=180`)).json;
    expect(result, JSON.stringify(result)).toMatchObject({ status: "completed", agent: "coder" });
    expect(result.answer).toBe("The sh agent ran it (completed, exit 0) and printed: mcp-proof-42");
    const shTasks = (await api.call("GET", "/v1/tasks?agent=sh&limit=50")).json.tasks as { task: string; status: string }[];
    expect(shTasks.find((t) => t.task === "echo mcp-proof-42")).toMatchObject({ status: "completed" });
    const toolNames = llm.agentRequests().flatMap((r) => ((r.body as { tools?: { name: string }[] }).tools ?? []).map((t) => t.name));
    expect(toolNames).toEqual(expect.arrayContaining(["mcp__swarm__submit_task", "mcp__swarm__wait_task"]));
  }, 240_000);
});

/**
 * The tools each program called, read from its event stream (the fixtures
 * recorded from the real programs), for the audit log: one shape for all.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_TOOL_CALLS, runtimeAdapter } from "../../agents/index.js";
import type { Runtime } from "../../core/index.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/agents");
const parse = (runtime: Runtime, file: string) => runtimeAdapter(runtime).parseEvents(readFileSync(join(FIXTURES, runtime, file), "utf8"));
const COMMAND = "echo written-by-the-agent > tool-proof.txt && echo tool-ran";

describe("the tool calls a program reports", () => {
  it.each([
    ["claude", "tool.jsonl", "Bash", COMMAND],
    ["qwen", "tool.jsonl", "run_shell_command", COMMAND],
    ["gemini", "real-tool.jsonl", "run_shell_command", COMMAND],
    ["codex", "tool.jsonl", "shell", `/bin/bash -lc '${COMMAND}'`],
  ] as const)("%s: the tool and the command it ran", (runtime, file, tool, detail) => {
    expect(parse(runtime, file).toolCalls).toEqual([{ tool, detail }]);
  });

  it("none when the program called no tool", () => {
    for (const runtime of ["claude", "qwen", "gemini", "codex"] as const) expect(parse(runtime, "plain.jsonl").toolCalls).toBeUndefined();
  });

  it("keeps the first calls of a runaway task and counts the rest", () => {
    const call = (i: number) =>
      JSON.stringify({ type: "assistant", message: { content: [{ type: "tool_use", name: "Read", input: { file_path: `/w/f${i}.ts` } }] } });
    const lines = Array.from({ length: MAX_TOOL_CALLS + 5 }, (_, i) => call(i));
    const outcome = runtimeAdapter("claude").parseEvents(`${lines.join("\n")}\n`);
    expect(outcome.toolCalls).toHaveLength(MAX_TOOL_CALLS);
    expect(outcome.toolCalls?.[0]).toEqual({ tool: "Read", detail: "/w/f0.ts" });
    expect(outcome.toolCallsDropped).toBe(5);
  });

  it("codex: files changed and MCP tools", () => {
    const events = [
      {
        type: "item.completed",
        item: {
          type: "file_change",
          changes: [
            { path: "a.ts", kind: "update" },
            { path: "b.ts", kind: "add" },
          ],
        },
      },
      { type: "item.completed", item: { type: "mcp_tool_call", server: "swarm", tool: "submit_task", arguments: { task: "npm test" } } },
      { type: "turn.completed", usage: {} },
    ];
    const outcome = runtimeAdapter("codex").parseEvents(events.map((e) => JSON.stringify(e)).join("\n"));
    expect(outcome.toolCalls).toEqual([
      { tool: "apply_patch", detail: "a.ts, b.ts" },
      { tool: "swarm.submit_task", detail: '{"task":"npm test"}' },
    ]);
  });
});

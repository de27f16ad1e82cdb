/** Helpers shared by the workflow tests against a real swarm (test/workflows/*.test.ts). */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { ExecutionState, WorkflowClient } from "../../workflows/index.js";
import { type CliResult, type RunningCli, runCliAsync, spawnCli as startCli } from "../helpers/cli.js";

/** The built CLI in `home`, without blocking this process. */
export function cli(home: string, args: readonly string[], options: { cwd?: string } = {}): Promise<CliResult> {
  return runCliAsync(args, { home, ...options });
}

/** The built CLI, its output readable while it runs (for commands that follow something live). */
export function spawnCli(home: string, args: readonly string[]): RunningCli {
  return startCli(args, { home });
}

export function expectExit(result: CliResult, code: number): void {
  expect(result.exitCode, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(code);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function json(result: CliResult): any {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`not JSON (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  }
}

let counter = 0;

/** Writes a workflow file (YAML or JSON text, or an object) under `dir` and returns its path. */
export function workflowFile(dir: string, content: string | object): string {
  mkdirSync(join(dir, "wf"), { recursive: true });
  const file = join(dir, "wf", `wf-${process.pid}-${++counter}.yaml`);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return file;
}

/** `workflow run --wait --json`: the final state, and the exit code checked against the status. */
export async function runToEnd(home: string, file: string, params: readonly string[] = []): Promise<ExecutionState> {
  const args = ["workflow", "run", "--file", file, "--wait", "--json", ...(params.length > 0 ? ["--params", ...params] : [])];
  const result = await cli(home, args);
  const state = json(result) as ExecutionState;
  expectExit(result, state.status === "completed" ? 0 : 1);
  return state;
}

/** Polls the execution (through the store, not the CLI: cheaper) until `check` holds. */
export async function stateUntil(
  workflows: WorkflowClient,
  id: string,
  what: string,
  check: (state: ExecutionState) => boolean,
  timeoutMs = 20_000,
): Promise<ExecutionState> {
  const deadline = Date.now() + timeoutMs;
  let last: ExecutionState | null = null;
  while (Date.now() < deadline) {
    last = await workflows.store.get(id);
    if (last !== null && check(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}; last state:\n${JSON.stringify(last, null, 2)}`);
}

export function statuses(state: ExecutionState): Record<string, string> {
  return Object.fromEntries(Object.entries(state.steps).map(([id, st]) => [id, st.status]));
}

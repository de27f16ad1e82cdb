/**
 * What the real-program tests (claude, qwen, codex, gemini) share: a scripted
 * model server, a work folder and a swarm whose one agent runs the program
 * against that server, started before the file's tests and torn down after;
 * and the two things every test does with them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import type { SwarmEvent, TaskResult } from "../../core/index.js";
import type { LocalServer } from "../fixtures/llm/http.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { clientInternals } from "../../client/index.js";

export interface ProgramSwarm<S extends LocalServer> {
  readonly llm: S;
  readonly swarm: TestSwarm;
  /** The agent's working folder. */
  readonly work: string;
  /** Submits a task to the agent and waits for its result. */
  run(task: string, options?: { fresh?: boolean }): Promise<TaskResult>;
  /** The conversation id the swarm stored for the agent's first session. */
  storedConversation(): Promise<string | null>;
}

export function useProgramSwarm<S extends LocalServer>(options: {
  readonly agent: string;
  readonly server: () => Promise<S>;
  readonly yaml: (url: string, work: string) => string;
  readonly env?: NodeJS.ProcessEnv;
  readonly resultWaitMs: number;
}): ProgramSwarm<S> {
  let llm: S | undefined;
  let swarm: TestSwarm | undefined;
  let work = "";
  beforeAll(async () => {
    llm = await options.server();
    work = mkdtempSync(join(tmpdir(), `ca-${options.agent}-work-`));
    swarm = await startTestSwarm(options.yaml(llm.url, work), options.env ? { env: options.env } : {});
  });
  afterAll(async () => {
    await swarm?.destroy();
    await llm?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });
  return {
    get llm() {
      return llm!;
    },
    get swarm() {
      return swarm!;
    },
    get work() {
      return work;
    },
    async run(task, runOptions = {}) {
      const client = await swarm!.connect();
      const handle = await client.submit({ task, agent: options.agent, ...runOptions });
      return handle.result({ signal: AbortSignal.timeout(options.resultWaitMs) });
    },
    async storedConversation() {
      const client = await swarm!.connect();
      return clientInternals(client.client).redis.hget(clientInternals(client.client).ledger.keys.session(`${options.agent}-1`), "agentSessionId");
    },
  };
}

/**
 * A role for the real-program tests: several lines, a leading "-", and text a
 * shell would act on, so a test sees it arrive byte for byte (no "tag-" word:
 * the scripted servers' recall scenario counts those in what the model sees).
 */
export const TEST_ROLE = [
  "# Role: swarm test reviewer (role-marker-7f3a)",
  "- Refuse `rm -rf /`; never run $(curl evil) or \"quoted\" 'commands'.",
  "Report findings as a list; 50% of 100 is 50 & that's fine.",
].join("\n");

/** `role:` for swarm.yaml, as a YAML block at the agent's indentation. */
export function roleYaml(indent = "    "): string {
  return `\n${indent}role: |\n${TEST_ROLE.split("\n")
    .map((line) => `${indent}  ${line}`)
    .join("\n")}`;
}

/** Every text of a value (strings, nested in arrays and objects), for finding where a program put the role. */
export function textsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(textsIn);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(textsIn);
  return [];
}

/** The tool calls of a task's `audit` event (bridge/dispatch/tool-audit.ts), as the history writer reads them. */
export async function toolCallsOf(swarm: TestSwarm, taskId: string): Promise<{ tool: string; detail: string }[]> {
  const client = await swarm.connect();
  // An audit event's own fields (target, action, calls) are beyond SwarmEvent's named ones.
  type AuditEvent = SwarmEvent & { target?: string; action?: string; calls?: string };
  const event = await waitFor(`the audit event of ${taskId}'s tool calls`, async () =>
    ((await client.client.events.recent(500)) as AuditEvent[]).find((e) => e.type === "audit" && e.target === taskId && e.action === "tool-calls"),
  );
  expect(event).toMatchObject({ actor: `agent:${event.agent}`, via: "agent" });
  return JSON.parse(String(event.calls)) as { tool: string; detail: string }[];
}

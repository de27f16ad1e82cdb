import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentJobFiles } from "../../agents/index.js";
import { configFromObject, type TaskRecord } from "../../core/index.js";
import { ProgramJobs } from "./program-jobs.js";
import type { ConversationStore } from "../conversations.js";

const FIXTURES = join(import.meta.dirname, "../../test/fixtures/agents");
const config = configFromObject(
  {
    agents: [
      { name: "coder", runtime: "claude", model: "sonnet", args: ["--permission-mode", "acceptEdits"] },
      { name: "sh", runtime: "shell" },
    ],
  },
  { file: "/p/swarm.yaml", baseDir: "/p" },
);

function record(fields: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id: "T1",
    agent: "coder",
    session: "coder-1",
    status: "running",
    exitCode: null,
    output: "",
    outputFile: null,
    submittedAt: "",
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    attempts: 1,
    task: "say $(hi) 'there'",
    timeoutSec: 60,
    priority: 0,
    idempotencyKey: null,
    routedBy: "explicit",
    dispatch: "T1-1",
    pane: null,
    cancelRequested: false,
    ...fields,
  };
}

/** The store's behaviour without Redis (the real one is exercised by test/agents). */
function memoryStore(): ConversationStore & { ids: Map<string, string> } {
  const ids = new Map<string, string>();
  return {
    ids,
    get: async (session: string) => ids.get(session) ?? null,
    set: async (session: string, id: string) => void ids.set(session, id),
    clear: async (session: string) => void ids.delete(session),
  } as unknown as ConversationStore & { ids: Map<string, string> };
}

describe("ProgramJobs", () => {
  let jobsDir: string;
  let store: ReturnType<typeof memoryStore>;
  let jobs: ProgramJobs;
  beforeEach(() => {
    jobsDir = mkdtempSync(join(tmpdir(), "ca-agent-jobs-"));
    store = memoryStore();
    jobs = new ProgramJobs({ agents: config.agents, home: "/h", jobsDir, conversations: store });
  });
  afterEach(() => rmSync(jobsDir, { recursive: true, force: true }));

  const events = (fixture: string, token = "T1-1") => copyFileSync(join(FIXTURES, fixture), agentJobFiles(jobsDir, token).eventsFile);

  it("writes the prompt to a file and continues the session's conversation", async () => {
    store.ids.set("coder-1", "sess-9");
    const { script, preview, prompt } = await jobs.prepare(record(), "coder-1", "T1-1");
    expect(readFileSync(agentJobFiles(jobsDir, "T1-1").promptFile, "utf8")).toBe("say $(hi) 'there'");
    expect(prompt).toBe("say $(hi) 'there'"); // the prompt as delivered: what the flight recorder records first
    expect(script).toContain("--model sonnet --resume sess-9 --permission-mode acceptEdits <");
    expect(script).toContain("CLAUDE_CONFIG_DIR=/h/agents/coder/config");
    expect(script).not.toContain("$(hi)");
    expect(preview).toBe("claude (continues sess-9):\nsay $(hi) 'there'");
  });

  it("starts a new conversation for a fresh task", async () => {
    store.ids.set("coder-1", "sess-9");
    const { script, preview } = await jobs.prepare(record({ fresh: true }), "coder-1", "T1-1");
    expect(script).not.toContain("--resume");
    expect(preview).toMatch(/^claude \(new conversation\)/);
  });

  it("leaves shell tasks as they are", async () => {
    expect(await jobs.prepare(record({ agent: "sh" }), "sh-1", "T1-1")).toEqual({
      script: "say $(hi) 'there'",
      preview: "say $(hi) 'there'",
      prompt: "say $(hi) 'there'",
    });
    expect(await jobs.finish(record({ agent: "sh" }), "sh-1", "T1-1", 0)).toBeNull();
  });

  it("turns a finished run into result fields and remembers its session id", async () => {
    events("claude/plain.jsonl");
    const finish = await jobs.finish(record(), "coder-1", "T1-1", 0);
    expect(finish).toMatchObject({ status: "completed", reason: undefined, fields: { answer: "The answer is 42.", turns: 1 } });
    expect(finish?.fields.costUsd).toBeGreaterThan(0);
    expect(store.ids.get("coder-1")).toBe(finish?.fields.agentSessionId);
  });

  it("fails a run whose program reported an error, with its message, even on exit 0", async () => {
    events("claude/api-error.jsonl");
    const finish = await jobs.finish(record(), "coder-1", "T1-1", 0);
    expect(finish).toMatchObject({ status: "failed", reason: "API Error: 400 scripted failure: the model refuses this prompt" });
  });

  it("says when the program hit a rate limit", async () => {
    events("claude/rate-limit.jsonl");
    expect((await jobs.finish(record(), "coder-1", "T1-1", 1))?.reason).toMatch(/^rate limited: API Error: Request rejected \(429\)/);
  });

  it("forgets a conversation the program no longer has", async () => {
    store.ids.set("coder-1", "00000000-0000-4000-8000-000000000000");
    events("claude/resume-unknown.jsonl");
    expect(await jobs.finish(record(), "coder-1", "T1-1", 1)).toMatchObject({ status: "failed" });
    expect(store.ids.has("coder-1")).toBe(false);
  });

  it("fails a run that left no events at all", async () => {
    expect(await jobs.finish(record(), "coder-1", "T1-1", 127)).toMatchObject({ status: "failed", reason: "the program ended without a result event" });
  });
});

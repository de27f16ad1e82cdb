/**
 * The built-in LangChain agent (runtime: langchain) in a real swarm, with
 * real LangChain and @langchain/openai talking to our scripted
 * OpenAI-compatible server (streaming: the agent streams every request). One
 * swarm, tasks in order: a multi-step job that edits a file and commits it in
 * a real git repository, a continued conversation, a command the policy
 * refuses, paths that try to leave the working directory, a model error.
 */
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskResult } from "../../core/index.js";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/llm/openai.js";
import type { Script } from "../fixtures/llm/script.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { capturePane, git, gitRepo } from "./support.js";
import { clientInternals } from "../../client/index.js";
import { waitFor } from "../helpers/wait.js";

const RESULT_WAIT_MS = 45_000;
const HELLO = "Hello from the LangChain agent.\n";

const scripts: Record<string, Script> = {
  edit: ({ step, lastToolResult }) =>
    [
      {
        text: "Let me look at the repository first.",
        toolCalls: [
          { name: "list_files", args: {} },
          { name: "git_status", args: {} },
        ],
      },
      { toolCalls: [{ name: "write_file", args: { path: "docs/hello.txt", content: HELLO } }] },
      {
        toolCalls: [
          { name: "run_command", args: { command: "cat docs/hello.txt && wc -l < docs/hello.txt" } },
          { name: "git_diff", args: {} },
        ],
      },
      { toolCalls: [{ name: "git_commit", args: { message: "Add docs/hello.txt" } }] },
      { text: `Done: ${lastToolResult}` },
    ][step] ?? { text: "?" },
  recall: ({ body }) => {
    const users = (body.messages as { role: string; content: unknown }[]).filter((m) => m.role === "user").map((m) => JSON.stringify(m.content));
    const tags = users.flatMap((text) => [...text.matchAll(/\btag-[a-z]+\b/g)].map((m) => m[0]));
    return { text: `I can see: ${[...new Set(tags)].join(", ")}` };
  },
  push: ({ step, lastToolResult }) =>
    step === 0
      ? { toolCalls: [{ name: "run_command", args: { command: "touch pushed.txt && git push origin main" } }] }
      : { text: `The tool said: ${lastToolResult}` },
  escape: ({ step, toolResults }) =>
    step === 0
      ? {
          toolCalls: [
            { name: "read_file", args: { path: "../outside.txt" } },
            { name: "write_file", args: { path: "link-out", content: "overwritten" } },
            { name: "read_file", args: { path: "/etc/hostname" } },
          ],
        }
      : { text: toolResults.join("\n") },
  audited: ({ step }) =>
    step === 0
      ? {
          toolCalls: [
            { name: "run_command", args: { command: "echo audited-command" } },
            { name: "run_command", args: { command: "git push origin main" } },
          ],
        }
      : { text: "done" },
  asking: ({ step, lastToolResult }) =>
    step === 0
      ? { toolCalls: [{ name: "run_command", args: { command: "echo prod-deploy > asked.txt && echo deployed" } }] }
      : { text: `The tool said: ${lastToolResult}` },
  fail: () => ({ status: 400, error: "scripted failure: the model refuses this prompt" }),
  slow: () => ({ delayMs: 30_000, text: "too late" }),
  slowish: () => ({ delayMs: 4_000, text: "finished while the bridge was away" }),
};

describe("the built-in langchain agent", () => {
  let llm: OpenAiServer;
  let swarm: TestSwarm;
  let repo: string;

  beforeAll(async () => {
    llm = await startOpenAiServer({ scripts });
    repo = gitRepo("ca-lc-repo-");
    writeFileSync(join(dirname(repo), "outside.txt"), "outside\n");
    symlinkSync(join(dirname(repo), "outside.txt"), join(repo, "link-out"));
    git(repo, "add", "link-out");
    git(repo, "commit", "-q", "-m", "A link that leads outside");
    swarm = await startTestSwarm(`
agents:
  - name: coder
    runtime: langchain
    cwd: ${repo}
    llm: { base_url: "${llm.url}/v1", model: test-model, api_key_env: LC_TEST_KEY }
    policy: { deny: ['git\\s+push'], ask: ['\\bprod-deploy\\b'] }
    env: { LC_TEST_KEY: not-a-real-key }
    timeout: 60
`);
  });
  afterAll(async () => {
    await swarm?.destroy();
    await llm?.close();
    if (repo) {
      rmSync(repo, { recursive: true, force: true });
      rmSync(join(dirname(repo), "outside.txt"), { force: true });
    }
  });

  async function run(task: string, options: { fresh?: boolean } = {}): Promise<TaskResult> {
    const client = await swarm.connect();
    const handle = await client.submit({ task, agent: "coder", ...options });
    return handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
  }

  it("holds a command an ask rule matches until a person approves it in the inbox, then runs it", async () => {
    const client = await swarm.connect();
    const handle = await client.submit({ task: "Deploy it [[script:asking]]", agent: "coder" });
    type Item = { id: string; status: string; text: string; source: { type: string; taskId?: string } };
    const item = await waitFor(
      "the command's inbox item",
      () =>
        (JSON.parse(swarm.cli(["inbox", "--json"]).stdout) as { items: Item[] }).items.find((i) => i.source.type === "policy" && i.source.taskId === handle.id),
      { timeoutMs: 30_000, everyMs: 200 },
    );
    expect(item.text).toContain("echo prod-deploy > asked.txt");
    expect(existsSync(join(repo, "asked.txt"))).toBe(false);
    expect(swarm.cli(["answer", item.id, "approve"]).exitCode).toBe(0);
    const result = await handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
    expect(result).toMatchObject({ status: "completed" });
    expect(result.answer).toContain("deployed");
    expect(readFileSync(join(repo, "asked.txt"), "utf8")).toBe("prod-deploy\n");
    rmSync(join(repo, "asked.txt"));
  });

  it("puts every tool call of a task in the audit log, the agent as the actor, refused ones too", async () => {
    const client = await swarm.connect();
    const handle = await client.submit({ task: "Run two commands [[script:audited]]", agent: "coder" });
    expect(await handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) })).toMatchObject({ status: "completed" });
    type Entry = { action: string; actor: string; via: string; target: string; details: unknown };
    const calls = await waitFor("the task's tool calls in the audit log", () => {
      const listed = JSON.parse(swarm.cli(["audit", "--action", "tool.", "--since", "1h", "--json", "--limit", "1000"]).stdout) as { entries: Entry[] };
      const mine = listed.entries.filter((entry) => entry.target === handle.id);
      return mine.length === 2 ? mine : null;
    });
    expect(calls.every((entry) => entry.action === "tool.run_command" && entry.actor === "agent:coder" && entry.via === "agent")).toBe(true);
    const details = calls.map((entry) => JSON.stringify(entry.details)).join("\n");
    expect(details).toContain("echo audited-command");
    expect(details).toContain("git push origin main");
  });

  it("edits a file and commits it over several tool-calling turns, reporting answer, tool calls and tokens", async () => {
    const result = await run("Add a hello file and commit it. tag-one [[script:edit]]");
    expect(result).toMatchObject({ status: "completed", exitCode: 0, turns: 5 });
    expect(result.answer).toMatch(/^Done: committed [0-9a-f]{7,} on main: Add docs\/hello\.txt \(1 file: docs\/hello\.txt\)$/);
    expect(result.inputTokens).toBeGreaterThan(0);
    expect(result.outputTokens).toBeGreaterThan(0);
    expect(result.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(readFileSync(join(repo, "docs/hello.txt"), "utf8")).toBe(HELLO);
    expect(git(repo, "log", "-1", "--format=%s")).toBe("Add docs/hello.txt\n");
    expect(git(repo, "status", "--porcelain")).toBe("");
    // The tool calls, as the output (what the pane showed) lists them.
    for (const line of [
      "⚙ list_files",
      "⚙ git_status",
      "⚙ write_file: docs/hello.txt",
      "⚙ run_command: cat docs/hello.txt",
      "⚙ git_diff",
      "⚙ git_commit: Add docs/hello.txt",
      "✔ done · 5 turns · 6 tool calls",
    ]) {
      expect(result.output).toContain(line);
    }
    expect(result.output).toContain("exit code 0 Hello from the LangChain agent. 1");
    // Every request streamed (SSE) and carried the tools.
    const requests = llm.requests.filter((r) => r.script === "edit");
    expect(requests).toHaveLength(5);
    expect(requests.every((r) => (r.body as { stream?: boolean }).stream === true)).toBe(true);
    expect((requests[0]!.body as { tools: { function: { name: string } }[] }).tools.map((t) => t.function.name).sort()).toEqual([
      "git_commit",
      "git_diff",
      "git_status",
      "list_files",
      "read_file",
      "run_command",
      "write_file",
    ]);
    // A person attached sees the same, as it happened.
    expect(capturePane(swarm, "coder-1")).toContain("⚙ git_commit: Add docs/hello.txt");
  });

  it("continues the session's conversation on the next task, and starts over with --fresh", async () => {
    const first = await swarm
      .connect()
      .then((c) => clientInternals(c.client).redis.hget(clientInternals(c.client).ledger.keys.session("coder-1"), "agentSessionId"));
    const continued = await run("What did I tag? tag-two [[script:recall]]");
    expect(continued).toMatchObject({ status: "completed", answer: "I can see: tag-one, tag-two", agentSessionId: first });
    const fresh = await run("And now? tag-three [[script:recall]]", { fresh: true });
    expect(fresh.answer).toBe("I can see: tag-three");
    expect(fresh.agentSessionId).not.toBe(first);
  });

  it("answers a command its policy refuses with the refusal, and runs nothing", async () => {
    const result = await run("Publish the work [[script:push]]");
    expect(result.status).toBe("completed");
    expect(result.answer).toContain("The tool said: refused by policy rule deny[0] git\\s+push. The command was not run");
    expect(result.output).toContain("⎿ refused by policy (deny[0] git\\s+push): nothing ran");
    expect(existsSync(join(repo, "pushed.txt"))).toBe(false);
  });

  it("refuses paths that leave the working directory, symbolic links included", async () => {
    const result = await run("Look outside [[script:escape]]");
    expect(result.answer).toContain("error: ../outside.txt: outside the working directory");
    expect(result.answer).toContain("error: link-out: leads outside the working directory");
    expect(result.answer).toContain("error: /etc/hostname: outside the working directory");
    expect(readFileSync(join(dirname(repo), "outside.txt"), "utf8")).toBe("outside\n");
  });

  it("is cancelled and timed out like any agent program, and the session takes the next task", async () => {
    const client = await swarm.connect();
    const slow = await client.submit({ task: "Think for a long time [[script:slow]]", agent: "coder" });
    const deadline = Date.now() + 20_000;
    while ((await client.client.get(slow.id)).status !== "running" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1500)); // inside the model call
    await slow.cancel();
    expect(await slow.result({ signal: AbortSignal.timeout(20_000) })).toMatchObject({ status: "cancelled" });
    const limited = await client.submit({ task: "Think again [[script:slow]]", agent: "coder", timeout: 3 });
    expect(await limited.result({ signal: AbortSignal.timeout(30_000) })).toMatchObject({ status: "timeout" });
    const next = await run("What did I tag? tag-four [[script:recall]]", { fresh: true });
    expect(next).toMatchObject({ status: "completed", answer: "I can see: tag-four" });
  });

  it("keeps running when the daemon is killed, and is re-adopted by the restarted one", async () => {
    const client = await swarm.connect();
    const handle = await client.submit({ task: "Take your time [[script:slowish]]", agent: "coder" });
    const deadline = Date.now() + 20_000;
    while ((await client.client.get(handle.id)).status !== "running" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await swarm.kill9();
    await swarm.start();
    const result = await handle.result({ signal: AbortSignal.timeout(30_000) });
    expect(result).toMatchObject({ status: "completed", answer: "finished while the bridge was away", attempts: 1 });
  });

  it("fails a task whose model call fails, with the server's message", async () => {
    const result = await run("Please fail [[script:fail]]");
    expect(result.status).toBe("failed");
    expect(result.reason).toContain("scripted failure: the model refuses this prompt");
    expect(result.output).toContain("✘");
  });
});

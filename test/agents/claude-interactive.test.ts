/**
 * The real Claude Code (the pinned devDependency) in INTERACTIVE mode: its
 * TUI is the pane's own program in a real swarm, tasks are pasted into it
 * and its hooks report back; answers come from our scripted Anthropic server
 * on loopback (no network, no API key). `coder` approves permission prompts
 * by itself (auto_approve); `guard` leaves them to a person, through the inbox.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { homePrefix, keys, type InboxItem, type SessionInfo, type SwarmEvent, type TaskResult } from "../../core/index.js";
import { ASK_QUESTION, NO_RESULT_ANSWER, startAnthropicServer, type AnthropicServer } from "../fixtures/llm/anthropic.js";
import { ERROR_MESSAGE, PLAIN_ANSWER, TOOL_DONE_ANSWER, TOOL_FILE, TOOL_TEXT } from "../fixtures/llm/scenario.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { programBin } from "./programs.js";
import { roleYaml, TEST_ROLE, textsIn, toolCallsOf } from "./support.js";
import { waitFor } from "../helpers/wait.js";

const CLAUDE = programBin("claude");
const RESULT_WAIT_MS = 45_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY = "sk-ant-test-0000000000000000000000";
const HOOK_FILE_MAX = 4000;

function agent(name: string, url: string, cwd: string, extra = ""): string {
  return `
  - name: ${name}
    runtime: claude
    mode: interactive
    command: ${CLAUDE}
    cwd: ${cwd}
    timeout: 60${extra}
    env:
      ANTHROPIC_API_KEY: ${KEY}
      ANTHROPIC_BASE_URL: ${url}
      DISABLE_AUTOUPDATER: 1
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: 1`;
}

describe("an interactive Claude Code agent", () => {
  let llm: AnthropicServer;
  let swarm: TestSwarm;
  let work: string;

  beforeAll(async () => {
    llm = await startAnthropicServer();
    work = mkdtempSync(join(tmpdir(), "ca-claude-tui-"));
    const yaml = `agents:${agent("coder", llm.url, join(work, "coder"), `\n    auto_approve: true${roleYaml()}`)}${agent("guard", llm.url, join(work, "guard"))}\n`;
    execFileSync("mkdir", ["-p", join(work, "coder"), join(work, "guard")]);
    // A small hook-file limit: every task below runs with its session's hook file cut back between tasks.
    swarm = await startTestSwarm(yaml, { env: { CLAUDE_AGENT_TUNING: JSON.stringify({ hookFileMaxBytes: HOOK_FILE_MAX }) } });
  }, 90_000);
  afterAll(async () => {
    // Claude Code may still write to its config folder while `down` stops it: removal can race that once.
    await swarm?.destroy().catch(async () => {
      await new Promise((r) => setTimeout(r, 500));
      rmSync(swarm.home, { recursive: true, force: true });
    });
    await llm?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function submit(task: string, options: { agent?: string; timeout?: number; fresh?: boolean } = {}) {
    const client = await swarm.connect();
    return client.submit({ task, agent: "coder", ...options });
  }
  async function run(task: string, options: { agent?: string; timeout?: number; fresh?: boolean } = {}): Promise<TaskResult> {
    return (await submit(task, options)).result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
  }
  async function session(name: string): Promise<SessionInfo> {
    const client = await swarm.connect();
    return (await client.status()).sessions.find((s) => s.name === name)!;
  }
  /** The session once its last task has let go of it. */
  async function settled(name: string): Promise<SessionInfo> {
    return waitFor(
      `${name} to settle`,
      async () => {
        const info = await session(name);
        return info.state === "idle" && info.currentTask === null ? info : null;
      },
      { everyMs: 100 },
    );
  }
  /**
   * The result with its usage figures: Claude Code writes them to its transcript after the Stop hook,
   * so the result is recorded without waiting for them and they are added when they land.
   */
  async function withUsage(result: TaskResult): Promise<TaskResult> {
    const client = await swarm.connect();
    return waitFor(`the token counts of ${result.id}`, async () => {
      const now = await client.result(result.id);
      return now.inputTokens !== undefined && now.turns !== undefined ? now : null;
    });
  }
  /** The prompts the model was sent for one task, as separate user turns (a submitted prompt appears once). */
  function promptsSent(fragment: string): string[] {
    const last = llm
      .agentRequests()
      .filter((r) => r.userTexts.some((t) => t.includes(fragment)))
      .at(-1);
    return last ? last.userTexts.filter((t) => t.includes(fragment)) : [];
  }
  function events(): SwarmEvent[] {
    const raw = execFileSync("redis-cli", ["-s", swarm.paths.redisSocket, "--json", "XRANGE", keys(homePrefix(swarm.home)).events, "-", "+"], {
      encoding: "utf8",
    });
    return (JSON.parse(raw) as [string, string[]][]).map(([id, fields]) => {
      const event: Record<string, string> = { id };
      for (let i = 0; i + 1 < fields.length; i += 2) event[fields[i]!] = fields[i + 1]!;
      return event as unknown as SwarmEvent;
    });
  }

  it("answers a prompt: completed by its result file, with the answer, tokens and its conversation id", async () => {
    const result = await run("What is the answer? [[plain]]");
    expect(result).toMatchObject({ status: "completed", answer: PLAIN_ANSWER, session: "coder-1", attempts: 1 });
    expect(result.output.trim()).toBe(PLAIN_ANSWER); // the result file the agent wrote
    expect(result.outputFile).toBe(join(swarm.home, "agents", "coder", "results", `${result.id}-1.result.md`));
    expect(result.agentSessionId).toMatch(UUID);
    const usage = await withUsage(result);
    expect(usage).toMatchObject({ status: "completed", answer: PLAIN_ANSWER, finishedAt: result.finishedAt });
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(usage.turns).toBe(2); // Write the result file, then answer
    expect(promptsSent("What is the answer?")).toHaveLength(1);
    // The session reports what its program is doing; the event stream has each change.
    // (The session is released and published just after the result is recorded.)
    expect(await settled("coder-1")).toMatchObject({ state: "idle", agentState: "done", needsInput: null });
    const states = events()
      .filter((e) => e.type === "agent.state" && e.session === "coder-1")
      .map((e) => e.status);
    expect(states).toEqual(expect.arrayContaining(["starting", "idle", "working", "done"]));
  });

  it("starts its TUI with the role appended to Claude Code's system prompt; an agent without a role gets none", () => {
    const systemOf = (fragment: string): string => {
      const request = llm.agentRequests().find((r) => r.userTexts.some((t) => t.includes(fragment)));
      return textsIn((request?.body as { system?: unknown } | undefined)?.system).join("\n");
    };
    const system = systemOf("What is the answer?");
    expect(system).toContain(TEST_ROLE);
    expect(system.indexOf(TEST_ROLE)).toBeGreaterThan(0);
    const guard = llm.agentRequests().filter((r) => JSON.stringify(r.body).includes(join(work, "guard")));
    for (const request of guard) expect(JSON.stringify(request.body)).not.toContain("role-marker-7f3a");
  });

  it("cuts its hook file back to the last event between tasks, so it does not grow with every prompt", async () => {
    const file = join(swarm.home, "agents", "coder", "hooks", "coder-1.jsonl");
    const big = `Remember this: ${"lorem ipsum ".repeat(500)} [[plain]]`;
    for (let i = 0; i < 2; i++) expect(await run(big)).toMatchObject({ status: "completed", answer: PLAIN_ANSWER });
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines.map((line) => (JSON.parse(line) as { event: string }).event)).toEqual(["Stop"]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: "Stop" });
    // The session goes on working from the cut file.
    expect(await run("Again [[plain]]")).toMatchObject({ status: "completed", answer: PLAIN_ANSWER });
  });

  it("submits a multi-line prompt exactly once, intact", async () => {
    const task = "Three lines [[plain]]\n  indented, with 'quotes', \"doubles\", $HOME and `ticks`;\n\nand a last line after a blank one!";
    const result = await run(task);
    expect(result.status).toBe("completed");
    const sent = promptsSent("Three lines [[plain]]");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain(task);
    // (The hook file cannot tell: it is cut back between tasks, see above.)
  });

  it("runs a tool, approving its permission prompt itself (auto_approve)", async () => {
    const result = await run("Write the proof file [[tool]]");
    expect(await withUsage(result)).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER, turns: 3 });
    expect(readFileSync(join(work, "coder", TOOL_FILE), "utf8").trim()).toBe(TOOL_TEXT);
    const log = readFileSync(join(swarm.home, "logs/swarm.jsonl"), "utf8");
    expect(log).toMatch(/"event":"job\.auto-approved".*"tool":"Bash".*"key":"1"/);
    // Its hooks say which tools it called: one `audit` event of the task's calls, the agent as the actor, as a
    // headless program's (the history writer makes an audit entry of each; read here from the stream, since this
    // suite also runs on Node 22, where the CLI's SQLite module built for Node 20 does not load).
    const calls = await toolCallsOf(swarm, result.id);
    // The model's command, then the agent writing its result file (how an interactive turn reports).
    expect(calls.map((c) => c.tool)).toEqual(["Bash", "Write"]);
    expect(calls[0]!.detail).toBe(`echo ${TOOL_TEXT} > ${TOOL_FILE} && echo tool-ran`);
    expect(calls[1]!.detail).toMatch(/\/agents\/coder\/results\/.+\.result\.md$/);
  });

  /** Inbox items of a task, as `claude-agent inbox --json --all` lists them. */
  function itemsOf(taskId: string): InboxItem[] {
    const listed = swarm.cli(["inbox", "--json", "--all"]);
    expect(listed.exitCode).toBe(0);
    return (JSON.parse(listed.stdout) as { items: InboxItem[] }).items.filter((i) => i.source.type === "prompt" && i.source.taskId === taskId);
  }
  async function openItem(taskId: string): Promise<InboxItem> {
    return waitFor(`the permission prompt item of ${taskId}`, async () => itemsOf(taskId).find((i) => i.status === "open"), { everyMs: 200 });
  }
  async function closedItem(id: string, taskId: string): Promise<InboxItem> {
    return waitFor(`${id} to close`, async () => itemsOf(taskId).find((i) => i.id === id && i.status !== "open"), { everyMs: 200 });
  }
  const toolFile = () => join(work, "guard", TOOL_FILE);

  it("reports a permission prompt as needs-input, saying what is asked, until a cancel interrupts it", async () => {
    const handle = await submit("Write the proof file [[tool]]", { agent: "guard" });
    const asking = await waitFor(
      "guard-1 to ask for permission",
      async () => {
        const info = await session("guard-1");
        return info.agentState === "needs-input" ? info : null;
      },
      { everyMs: 100 },
    );
    expect(asking.needsInput).toMatch(/^permission to use Bash: echo written-by-the-agent/);
    const cli = swarm.cli(["status", "--json"]);
    expect(cli.exitCode).toBe(0);
    expect(cli.stdout).toContain('"agentState": "needs-input"');
    expect(events().some((e) => e.type === "agent.state" && e.session === "guard-1" && e.status === "needs-input" && e.message?.includes("Bash"))).toBe(true);
    expect(existsSync(join(work, "guard", TOOL_FILE))).toBe(false);

    const item = await openItem(handle.id);

    await handle.cancel();
    const result = await handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
    expect(result).toMatchObject({ status: "cancelled", reason: "cancelled while running" });
    expect(await settled("guard-1")).toMatchObject({ state: "idle", agentState: "idle", needsInput: null });
    expect(await closedItem(item.id, handle.id)).toMatchObject({ status: "withdrawn", reason: `task ${handle.id} was cancelled` });
  });

  it("raises one inbox item for a permission prompt, with the question and the pane's last lines", async () => {
    rmSync(toolFile(), { force: true });
    const handle = await submit("Write the proof file [[tool]]", { agent: "guard" });
    const item = await openItem(handle.id);
    expect(item).toMatchObject({
      kind: "approval",
      title: "agent guard asks: Bash(echo written-by-the-agent > tool-proof.txt && echo tool-ran)",
      source: { type: "prompt", agent: "guard", session: "guard-1", taskId: handle.id },
    });
    expect(item.text).toContain("waits at a permission prompt: permission to use Bash: echo written-by-the-agent > tool-proof.txt");
    // The excerpt: the dialog as the pane shows it, without escape sequences.
    expect(item.text).toMatch(/Its pane shows:\n\n.*Do you want to proceed\?.*1\. Yes.*\d\. No/s);
    expect(item.text).not.toContain("\u001b");
    // One item per dialog, however long it stays open.
    await sleep(1500);
    expect(itemsOf(handle.id)).toHaveLength(1);
    await handle.cancel();
    await handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
    await settled("guard-1");
  });

  it("approving the item in the inbox lets the tool run and the task complete", async () => {
    rmSync(toolFile(), { force: true });
    const handle = await submit("Write the proof file [[tool]]", { agent: "guard" });
    const item = await openItem(handle.id);
    const answered = swarm.cli(["answer", item.id, "approve"]);
    expect(answered.exitCode).toBe(0);
    const result = await handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
    expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER });
    expect(readFileSync(toolFile(), "utf8").trim()).toBe(TOOL_TEXT);
    expect(itemsOf(handle.id)).toMatchObject([{ id: item.id, status: "answered", answer: { decision: "approve" } }]);
    const log = readFileSync(join(swarm.home, "logs/swarm.jsonl"), "utf8");
    expect(log).toMatch(new RegExp(`"event":"job\\.prompt-answered","taskId":"${handle.id}".*"decision":"approve".*"key":"1"`));
  });

  it("denying the item in the inbox keeps the tool from running; the task fails with the reason, which is never typed", async () => {
    rmSync(toolFile(), { force: true });
    const handle = await submit("Write the proof file [[tool]]", { agent: "guard" });
    const item = await openItem(handle.id);
    const reason = "not-today-7c1e; $(touch pwned)";
    expect(swarm.cli(["answer", item.id, "deny", "--reason", reason]).exitCode).toBe(0);
    const result = await handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
    expect(result.status).toBe("failed");
    expect(result.reason).toContain(`denied Bash(echo written-by-the-agent > tool-proof.txt && echo tool-ran) in the inbox: ${reason}`);
    expect(existsSync(toolFile())).toBe(false);
    expect(existsSync(join(work, "guard", "pwned"))).toBe(false);
    expect(JSON.stringify(llm.agentRequests())).not.toContain("not-today-7c1e");
    expect(await settled("guard-1")).toMatchObject({ agentState: "idle", needsInput: null });
    // The refused call is in the audit log too: what an agent tried to run, not only what ran.
    expect(await toolCallsOf(swarm, handle.id)).toEqual([{ tool: "Bash", detail: "echo written-by-the-agent > tool-proof.txt && echo tool-ran" }]);
    // The session takes the next task.
    expect(await run("And now? [[plain]]", { agent: "guard" })).toMatchObject({ status: "completed", answer: PLAIN_ANSWER });
  });

  it("withdraws the item when the dialog is answered in the session's terminal", async () => {
    rmSync(toolFile(), { force: true });
    const handle = await submit("Write the proof file [[tool]]", { agent: "guard" });
    const item = await openItem(handle.id);
    // A person attached to the pane presses "1" (again while the dialog stays: a key right after it is drawn can be lost).
    const closed = await waitFor(
      "the dialog to be answered in the pane",
      async () => {
        const now = itemsOf(handle.id).find((i) => i.id === item.id && i.status !== "open");
        const tmux = (...args: string[]) => execFileSync("tmux", ["-S", swarm.paths.tmuxSocket, ...args], { encoding: "utf8" });
        if (!now && tmux("capture-pane", "-p", "-t", "=guard-1:").includes("Do you want to proceed?")) tmux("send-keys", "-t", "=guard-1:", "1");
        return now;
      },
      { everyMs: 2500 },
    );
    expect(closed).toMatchObject({ status: "withdrawn", reason: "its dialog was answered in the session's terminal" });
    const result = await handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
    expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER });
    expect(existsSync(toolFile())).toBe(true);
  });

  /** The tool results the model was sent after the prompt holding `fragment` (what its tools told it). */
  function toolResultsSent(fragment: string): string[] {
    const last = llm
      .agentRequests()
      .filter((r) => JSON.stringify(r.body).includes(fragment))
      .at(-1);
    const messages = (last?.body as { messages?: { content?: unknown }[] } | undefined)?.messages ?? [];
    return messages
      .flatMap((m) => (Array.isArray(m.content) ? (m.content as { type?: string; content?: unknown }[]) : []))
      .filter((b) => b.type === "tool_result")
      .map((b) => (typeof b.content === "string" ? b.content : JSON.stringify(b.content)));
  }

  it("raises one question item for the model's question (AskUserQuestion), with its options; answering 2 picks option 2 and the task completes", async () => {
    const handle = await submit("Pick a database [[ask]]", { agent: "guard" });
    const item = await openItem(handle.id);
    expect(item).toMatchObject({
      kind: "input",
      title: `agent guard asks: ${ASK_QUESTION.question}`,
      source: { type: "prompt", agent: "guard", session: "guard-1", taskId: handle.id },
      questions: [{ name: "choice", prompt: ASK_QUESTION.question, choices: ["Postgres", "SQLite"], required: true }],
    });
    expect(item.text).toContain("  1. Postgres (relational, the team knows it)\n  2. SQLite (one file, no server)");
    expect(item.text).toContain("3. Type something."); // the pane's last lines: the dialog as Claude Code draws it
    expect(await session("guard-1")).toMatchObject({ agentState: "needs-input", needsInput: `${ASK_QUESTION.question} (1. Postgres / 2. SQLite)` });
    // Not a number or label of an option: refused, nothing typed.
    expect(swarm.cli(["answer", item.id, "MySQL; rm -rf /"]).exitCode).not.toBe(0);

    const answered = swarm.cli(["answer", item.id, "2"]);
    expect(answered.exitCode).toBe(0);
    const result = await handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
    expect(result).toMatchObject({ status: "completed", answer: expect.stringContaining("SQLite") });
    // The model's next request carried the dialog's answer as AskUserQuestion's result.
    expect(toolResultsSent("Pick a database [[ask]]")).toContainEqual(expect.stringContaining('"Which database should the service use?"="SQLite"'));
    expect(itemsOf(handle.id)).toMatchObject([{ id: item.id, status: "answered", answer: { values: { choice: "SQLite" } } }]);
    const log = readFileSync(join(swarm.home, "logs/swarm.jsonl"), "utf8");
    expect(log).toMatch(new RegExp(`"event":"job\\.prompt-answered","taskId":"${handle.id}".*"choice":"SQLite".*"key":"2"`));
    await settled("guard-1");
  });

  it("never answers a question by auto_approve: it waits in the inbox, and an option's label picks it", async () => {
    const handle = await submit("Pick a database [[ask]]"); // coder: auto_approve
    const item = await openItem(handle.id);
    expect(item).toMatchObject({ kind: "input", status: "open", source: { agent: "coder", session: "coder-1" } });
    // Still open: auto_approve pressed nothing (a permission prompt would have been approved within ~1 s).
    await sleep(1500);
    expect(itemsOf(handle.id)).toMatchObject([{ id: item.id, status: "open" }]);
    expect(swarm.cli(["answer", item.id, "postgres"]).exitCode).toBe(0);
    const result = await handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
    expect(result).toMatchObject({ status: "completed", answer: expect.stringContaining("Postgres") });
    expect(itemsOf(handle.id)).toMatchObject([{ id: item.id, status: "answered", answer: { values: { choice: "Postgres" } } }]);
    await settled("coder-1");
  });

  it("keeps the item across a bridge restart and applies the answer given while no bridge ran", async () => {
    rmSync(toolFile(), { force: true });
    const handle = await submit("Write the proof file [[tool]]", { agent: "guard" });
    const item = await openItem(handle.id);
    await swarm.kill9();
    expect(swarm.cli(["answer", item.id, "approve"]).exitCode).toBe(0);
    await swarm.start();
    const result = await handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
    expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER, attempts: 1 });
    expect(existsSync(toolFile())).toBe(true);
    expect(itemsOf(handle.id)).toMatchObject([{ id: item.id, status: "answered" }]);
  });

  it("withdraws the item when the session dies; the task's next attempt asks anew", async () => {
    rmSync(toolFile(), { force: true });
    const handle = await submit("Write the proof file [[tool]]", { agent: "guard" });
    const item = await openItem(handle.id);
    const pid = execFileSync("tmux", ["-S", swarm.paths.tmuxSocket, "list-panes", "-t", "=guard-1", "-F", "#{pane_pid}"], { encoding: "utf8" }).trim();
    process.kill(Number(pid), "SIGKILL");
    expect(await closedItem(item.id, handle.id)).toMatchObject({ status: "withdrawn", reason: "session guard-1 went down" });
    const again = await waitFor("the next attempt's item", async () => itemsOf(handle.id).find((i) => i.id !== item.id && i.status === "open"), {
      timeoutMs: RESULT_WAIT_MS,
      everyMs: 200,
    });
    await handle.cancel();
    expect(await handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) })).toMatchObject({ status: "cancelled", attempts: 2 });
    expect(await closedItem(again.id, handle.id)).toMatchObject({ status: "withdrawn", reason: `task ${handle.id} was cancelled` });
    expect(existsSync(toolFile())).toBe(false);
    await settled("guard-1");
  });

  it("fails a turn the API refuses, with the server's message", async () => {
    const result = await run("Please fail [[error]]");
    expect(result.status).toBe("failed");
    expect(result.reason).toContain(ERROR_MESSAGE);
    expect(await settled("coder-1")).toMatchObject({ agentState: "error" });
  });

  it("does not count a turn that ended without its result file as done", async () => {
    const result = await run("Just think about it [[noresult]]");
    expect(result).toMatchObject({ status: "failed", answer: NO_RESULT_ANSWER });
    expect(result.reason).toMatch(/ended its turn without writing its result file/);
  });

  it("interrupts a turn that outlives its time limit, keeps what it produced, and takes the next task", async () => {
    const result = await run("Think it over slowly [[slow]]", { timeout: 3 });
    expect(result).toMatchObject({ status: "timeout", reason: "exceeded its time limit of 3s and was interrupted" });
    expect(result.answer).toMatch(/^thinking 1…/);
    expect(await settled("coder-1")).toMatchObject({ state: "idle", agentState: "idle" });
    const next = await run("And now? [[plain]]");
    expect(next).toMatchObject({ status: "completed", answer: PLAIN_ANSWER, attempts: 1 });
  });

  it("starts a new conversation for a fresh task", async () => {
    const before = (await run("Before [[plain]]")).agentSessionId;
    const fresh = await run("Anew [[plain]]", { fresh: true });
    expect(fresh.status).toBe("completed");
    expect(fresh.agentSessionId).toMatch(UUID);
    expect(fresh.agentSessionId).not.toBe(before);
    expect(llm.agentRequests().at(-1)?.userTexts.join("\n")).not.toContain("Before [[plain]]");
  });

  it("re-adopts a running turn after the bridge is killed, without typing it again", async () => {
    const handle = await submit("Outlive the bridge [[pause]]");
    await waitFor("coder-1 to work", async () => (await session("coder-1")).agentState === "working", { everyMs: 100 });
    await swarm.kill9();
    await swarm.start();
    const result = await handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
    expect(result).toMatchObject({ status: "completed", answer: PLAIN_ANSWER, attempts: 1 });
    expect(promptsSent("Outlive the bridge")).toHaveLength(1);
    const log = readFileSync(join(swarm.home, "logs/swarm.jsonl"), "utf8");
    expect(log).toMatch(new RegExp(`"event":"job\\.adopted","taskId":"${result.id}"`));
  });

  it("restarts a crashed program with --resume and runs its task again", async () => {
    const conversation = (await run("Remember this [[plain]]")).agentSessionId;
    const handle = await submit("Survive a crash [[crash]]");
    // Killed once the model is at work on it (the scripted model then answers the retry at once).
    await waitFor("the prompt to reach the model", async () => llm.agentRequests().some((r) => r.userTexts.some((t) => t.includes("Survive a crash"))), {
      everyMs: 100,
    });
    const pid = execFileSync("tmux", ["-S", swarm.paths.tmuxSocket, "list-panes", "-t", "=coder-1", "-F", "#{pane_pid}"], { encoding: "utf8" }).trim();
    process.kill(Number(pid), "SIGKILL");
    const result = await handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
    expect(result).toMatchObject({ status: "completed", answer: PLAIN_ANSWER, attempts: 2, agentSessionId: conversation });
    expect((await session("coder-1")).restarts).toBe(1);
    // The resumed conversation still holds what came before the crash.
    expect(llm.agentRequests().at(-1)?.userTexts.join("\n")).toContain("Remember this [[plain]]");
  });
});

/**
 * Budgets in a real swarm: built-in LangChain agents talking to the scripted
 * OpenAI-compatible server, whose replies carry token counts the agent
 * reports in each result. `coder` may spend 1 token a day, so every task
 * crosses its budget; `writer` has none and runs the workflow steps, whose run
 * has a budget of its own. The tests run in order, each from where the last
 * one left the swarm.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentStatus, SwarmClient } from "../../client/index.js";
import type { InboxItem, SwarmEvent, TaskResult } from "../../core/index.js";
import { WorkflowClient, type ExecutionState } from "../../workflows/index.js";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/llm/openai.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { cli } from "../llm/support.js";
import { call } from "../api/support.js";

const RESULT_WAIT_MS = 45_000;
/** After the point where a held queue would already have taken it, a task that must stay waiting is looked at again. */
const STAYS_MS = 1_500;

describe("budgets that pause and ask", () => {
  let llm: OpenAiServer;
  let swarm: TestSwarm;
  let client: SwarmClient;

  beforeAll(async () => {
    llm = await startOpenAiServer();
    const agent = (name: string, extra: string) => `
  - name: ${name}
    runtime: langchain
    llm: { base_url: "${llm.url}/v1", model: test-model, api_key_env: LC_TEST_KEY }
    env: { LC_TEST_KEY: not-a-real-key }
    timeout: 60${extra}`;
    const api = "api:\n  listen: 127.0.0.1:0\n";
    swarm = await startTestSwarm(`agents:${agent("coder", "\n    budget: { tokens: 1, per: day }")}${agent("writer", "")}\n${api}`);
    client = (await swarm.connect()).client;
  });
  afterAll(async () => {
    await swarm?.destroy();
    await llm?.close();
  });

  const submit = (task: string, agent = "coder") => client.submit({ task, agent });
  const result = (id: string): Promise<TaskResult> => client.result(id, { wait: true, signal: AbortSignal.timeout(RESULT_WAIT_MS) });
  const statusOf = (id: string) => client.get(id).then((record) => record.status);
  const openItems = async (): Promise<InboxItem[]> => JSON.parse((await cli(swarm, ["inbox", "--json"])).stdout).items;
  const coderItem = (except: readonly string[] = []) =>
    waitFor(
      "an open budget item for coder",
      async () => (await openItems()).find((i) => "agent" in i.source && i.source.agent === "coder" && !except.includes(i.id)),
      {
        everyMs: 200,
      },
    );
  const coderStatus = async (): Promise<AgentStatus> => {
    const status = JSON.parse((await cli(swarm, ["status", "--json"])).stdout) as { agents: AgentStatus[] };
    return status.agents.find((a) => a.name === "coder")!;
  };
  const reached = async (): Promise<SwarmEvent[]> => (await client.events.recent(1000)).filter((e) => e.type === "budget.reached");
  const answer = (...args: string[]) => cli(swarm, ["answer", ...args]);

  const ids: Record<string, string> = {};
  const items: string[] = [];

  it("pauses the agent's queue once a task crosses its budget: the running task finishes, the next ones wait", async () => {
    const a = await submit("first task");
    const b = await submit("second task");
    const c = await submit("third task");
    Object.assign(ids, { b: b.id, c: c.id });
    const first = await result(a.id);
    expect(first.status).toBe("completed");
    const tokens = (first.inputTokens ?? 0) + (first.outputTokens ?? 0);
    expect(tokens).toBeGreaterThan(1);

    const item = await coderItem();
    items.push(item.id);
    expect(item).toMatchObject({ kind: "input", source: { type: "budget", agent: "coder" } });
    expect(item.questions.map((q) => q.name)).toEqual(["decision", "usd", "tokens"]);
    await sleep(STAYS_MS);
    expect(await statusOf(b.id)).toBe("queued");
    expect(await statusOf(c.id)).toBe("queued");

    const coder = await coderStatus();
    expect(coder.budget).toMatchObject({ per: "day", spent: { tokens }, limit: { tokens: 1 }, paused: true, item: item.id });
    expect(coder.queue.waiting).toBe(2);
    const text = (await cli(swarm, ["status"])).stdout;
    expect(text).toContain("paused (budget)");
    expect(text).toContain(`coder: budget ${tokens} of 1 tokens`);
    expect(text).toContain(`PAUSED (budget): claude-agent --home ${swarm.home} answer ${item.id} raise|once|stop`);

    const events = await reached();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ agent: "coder", spent: `${tokens} tokens`, limit: "1 tokens", item: item.id });
    expect(events[0]?.message).toContain(`answer ${item.id} raise|once|stop`);
  });

  it("shows the spend in the API's status, every field of it documented in the OpenAPI document", async () => {
    const { url } = JSON.parse(readFileSync(join(swarm.paths.runDir, "api.json"), "utf8")) as { url: string };
    const token = readFileSync(join(swarm.home, "api.token"), "utf8").trim();
    const status = await call(url, token, "GET", "/v1/status");
    expect(status.status).toBe(200);
    const coder = status.json.agents.find((a: AgentStatus) => a.name === "coder");
    expect(coder.budget).toMatchObject({ per: "day", paused: true, item: items[0], limit: { tokens: 1 } });
    expect(status.json.agents.find((a: AgentStatus) => a.name === "writer").budget).toBeUndefined();
    const document = (await call(url, token, "GET", "/openapi.json")).json;
    const agent = document.paths["/v1/status"].get.responses["200"].content["application/json"].schema.properties.agents.items;
    const budget = agent.properties.budget;
    expect(Object.keys(coder).filter((field) => !(field in agent.properties))).toEqual([]);
    expect(Object.keys(coder.budget).filter((field) => !(field in budget.properties))).toEqual([]);
  });

  it("answering `once` runs exactly one more task, then pauses again with a new item", async () => {
    const answered = await answer(items[0]!, "once");
    expect(answered.stderr).toBe("");
    expect(answered.exitCode).toBe(0);
    expect((await result(ids.b!)).status).toBe("completed");
    const next = await coderItem(items);
    items.push(next.id);
    await sleep(STAYS_MS);
    expect(await statusOf(ids.c!)).toBe("queued");
    expect(await coderStatus()).toMatchObject({ budget: { paused: true, item: next.id, once: 0 } });
    expect(await reached()).toHaveLength(2);
    const first = JSON.parse((await cli(swarm, ["inbox", items[0]!, "--json"])).stdout) as InboxItem;
    expect(first).toMatchObject({ status: "answered", answer: { values: { decision: "once" } } });
  });

  it("refuses a raise without a new limit above the spend, and resumes the queue with one", async () => {
    const bare = await answer(items[1]!, "raise");
    expect(bare.exitCode).toBe(2);
    expect(bare.stderr).toContain("raise needs a new limit");
    expect(bare.stderr).toContain("--field tokens=N");
    const spent = (await coderStatus()).budget!.spent.tokens;
    const under = await answer(items[1]!, "raise", "--field", `tokens=${spent}`);
    expect(under.exitCode).toBe(2);
    expect(under.stderr).toContain("the new limit is already reached");

    expect((await answer(items[1]!, "raise", "--field", `tokens=${spent + 1}`)).exitCode).toBe(0);
    expect((await result(ids.c!)).status).toBe("completed");
    // The third task crossed the raised limit: paused again, asking again.
    const third = await coderItem(items);
    items.push(third.id);
    expect(await coderStatus()).toMatchObject({ budget: { paused: true, limit: { tokens: spent + 1 }, item: third.id } });
  });

  it("`stop` keeps the queue paused until the period ends, and a restarted bridge holds it again", async () => {
    const d = await submit("fourth task");
    ids.d = d.id;
    expect((await answer(items[2]!, "stop")).exitCode).toBe(0);
    await sleep(STAYS_MS);
    expect(await statusOf(d.id)).toBe("queued");
    const stopped = await coderStatus();
    expect(stopped.budget).toMatchObject({ paused: true });
    expect(stopped.budget?.item).toBeUndefined();
    expect((await openItems()).filter((i) => i.source.type === "budget")).toEqual([]);

    await swarm.kill9();
    await swarm.start();
    await waitFor("the daemon's heartbeat", async () => (await client.status()).daemon.alive, { everyMs: 200 });
    await sleep(STAYS_MS);
    expect(await statusOf(d.id)).toBe("queued");
    expect((await coderStatus()).budget).toMatchObject({ paused: true });
    expect(await reached()).toHaveLength(3);
  });

  describe("a workflow run's budget", () => {
    const workflows = () => new WorkflowClient(client);
    const twoSteps = (name: string) =>
      workflows().fromObject({
        name,
        budget: { tokens: 1 },
        steps: [
          { id: "one", agent: "writer", task: "step one" },
          { id: "two", agent: "writer", task: "step two", depends_on: "one" },
        ],
      });
    const pausedRun = (id: string) =>
      waitFor(
        "the run paused at its budget",
        async () => {
          const state = await workflows().get(id);
          return state.budget?.paused ? state : null;
        },
        { timeoutMs: RESULT_WAIT_MS, everyMs: 200 },
      );
    const runItem = (id: string) =>
      waitFor(
        "the run's budget item",
        async () => (await openItems()).find((i) => i.source.type === "budget" && "executionId" in i.source && i.source.executionId === id),
        {
          everyMs: 200,
        },
      );
    const ended = async (id: string): Promise<ExecutionState> => {
      const wf = workflows();
      try {
        return await wf.wait(id, { signal: AbortSignal.timeout(RESULT_WAIT_MS) });
      } finally {
        await wf.close();
      }
    };

    it("starts no new step at the limit, and `answer … once` lets the next one run", async () => {
      const wf = workflows();
      const run = await wf.start(twoSteps("spend-once"));
      const paused = await pausedRun(run.id);
      expect(paused.steps.one?.status).toBe("completed");
      expect(paused.steps.two?.status).toBe("pending");
      expect(paused.budget?.spent.tokens).toBeGreaterThan(1);
      const item = await runItem(run.id);
      expect(item.id).toBe(paused.budget?.paused?.item);
      const event = (await reached()).find((e) => (e as { executionId?: string }).executionId === run.id);
      expect(event).toMatchObject({ workflow: "spend-once", limit: "1 tokens", item: item.id });

      expect((await answer(item.id, "once")).exitCode).toBe(0);
      const done = await ended(run.id);
      expect(done.status).toBe("completed");
      expect(done.steps.two?.status).toBe("completed");
      expect(done.budget?.counted).toHaveLength(2);
    });

    it("`answer … stop` cancels the run", async () => {
      const wf = workflows();
      const run = await wf.start(twoSteps("spend-stop"));
      await pausedRun(run.id);
      const item = await runItem(run.id);
      expect((await answer(item.id, "stop")).exitCode).toBe(0);
      const done = await ended(run.id);
      expect(done.status).toBe("cancelled");
      expect(done.reason).toBe("stopped at its budget");
      expect(done.steps.two?.status).toBe("cancelled");
    });
  });
});

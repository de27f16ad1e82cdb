/**
 * Policy `ask` rules for shell agents, in a real swarm (redis-server, tmux,
 * the built CLI): a task whose command an ask rule matches is held before
 * dispatch with an approval item in the inbox; a person's answer through
 * `claude-agent answer` dispatches it or fails it with the reason; a cancel
 * withdraws the item; a hold survives the daemon's death. The tests run in
 * order on one swarm.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SwarmClient } from "../../client/index.js";
import type { InboxItem, TaskResult } from "../../core/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { call } from "../api/support.js";
import { cli } from "../llm/support.js";

const RESULT_WAIT_MS = 45_000;
/** Long enough for an unheld queue to have dispatched a shell task several times over. */
const STAYS_MS = 1_500;
const RULE = String.raw`\bprod-deploy\b`;

describe("a shell agent's ask rules", () => {
  let swarm: TestSwarm;
  let client: SwarmClient;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "ca-ask-"));
    swarm = await startTestSwarm(`
agents:
  - name: ops
    runtime: shell
    replicas: 1
    cwd: ${work}
    timeout: 60
    policy:
      deny: ['\\bdrop-database\\b']
      ask: ['${RULE}']
api:
  listen: 127.0.0.1:0
`);
    client = (await swarm.connect()).client;
  });
  afterAll(async () => {
    await swarm?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  const submit = (task: string) => client.submit({ task, agent: "ops" });
  const result = (id: string): Promise<TaskResult> => client.result(id, { wait: true, signal: AbortSignal.timeout(RESULT_WAIT_MS) });
  const items = async (all = false): Promise<InboxItem[]> => JSON.parse((await cli(swarm, ["inbox", "--json", ...(all ? ["--all"] : [])])).stdout).items;
  const itemOf = (taskId: string) =>
    waitFor(`the inbox item of task ${taskId}`, async () => (await items()).find((i) => i.source.type === "policy" && i.source.taskId === taskId), {
      everyMs: 200,
    });
  const answer = (...args: string[]) => cli(swarm, ["answer", ...args]);

  it("holds the task before dispatch with an approval item; the agent's other tasks run meanwhile; approve dispatches it", async () => {
    const held = await submit("echo prod-deploy > deployed.txt && echo deployed");
    const item = await itemOf(held.id);
    expect(item).toMatchObject({ kind: "approval", status: "open", source: { type: "policy", agent: "ops", taskId: held.id } });
    expect(item.title).toContain("prod-deploy");
    expect(item.text).toContain("echo prod-deploy");
    expect(item.text).toContain(`ask[0] ${RULE}`);

    // One replica, and the held task does not take it: another task runs to its end.
    const other = await submit("echo other");
    expect((await result(other.id)).status).toBe("completed");
    await sleep(STAYS_MS);
    expect((await client.get(held.id)).status).toBe("queued");
    expect(existsSync(join(work, "deployed.txt"))).toBe(false);

    const answered = await answer(item.id, "approve");
    expect(answered.stderr).toBe("");
    expect(answered.exitCode).toBe(0);
    const done = await result(held.id);
    expect(done).toMatchObject({ status: "completed", exitCode: 0 });
    expect(readFileSync(join(work, "deployed.txt"), "utf8")).toBe("prod-deploy\n");
    // Approved once: not asked again.
    expect((await items(true)).filter((i) => i.source.type === "policy" && i.source.taskId === held.id)).toHaveLength(1);
  });

  it("dispatches a task approved through the HTTP API (the web dashboard's inbox)", async () => {
    const held = await submit("echo prod-deploy > api-approved.txt");
    const item = await itemOf(held.id);
    const { url } = JSON.parse(readFileSync(join(swarm.paths.runDir, "api.json"), "utf8")) as { url: string };
    const token = readFileSync(join(swarm.home, "api.token"), "utf8").trim();
    const listed = await call(url, token, "GET", "/v1/inbox");
    expect((listed.json as { items: InboxItem[] }).items.map((i) => i.id)).toContain(item.id);
    const answered = await call(url, token, "POST", `/v1/inbox/${item.id}/answer`, { body: { answer: "approve" } });
    expect(answered.status).toBe(200);
    expect(answered.json).toMatchObject({ status: "answered", answer: { decision: "approve" } });
    expect((await result(held.id)).status).toBe("completed");
    expect(existsSync(join(work, "api-approved.txt"))).toBe(true);
  });

  it("fails a denied task with the person's reason, naming who refused and the rule; nothing runs", async () => {
    const held = await submit("echo prod-deploy > denied.txt");
    const item = await itemOf(held.id);
    const answered = await answer(item.id, "deny", "--reason", "not during the freeze");
    expect(answered.exitCode).toBe(0);
    const done = await result(held.id);
    expect(done.status).toBe("failed");
    expect(done.reason).toMatch(/^refused by cli:\S+: not during the freeze \(the command needed a person's approval by policy rule ask\[0\] /);
    expect(existsSync(join(work, "denied.txt"))).toBe(false);
    // It failed by a person's decision: no "retry it?" item follows. A later failure's item shows the leader read past it.
    const later = await submit("exit 6");
    await result(later.id);
    await waitFor("the later failure's item", async () => (await items(true)).some((i) => i.source.type === "task" && i.source.taskId === later.id), {
      everyMs: 200,
    });
    expect((await items(true)).filter((i) => i.source.type === "task" && i.source.taskId === held.id)).toEqual([]);
  });

  it("refuses a task a deny rule matches without asking, even when an ask rule matches too", async () => {
    const refused = await submit("echo prod-deploy; echo drop-database");
    expect(refused.rejected).toMatch(/refused by policy rule deny\[0\]/);
    expect((await items()).filter((i) => i.source.type === "policy" && i.source.taskId === refused.id)).toHaveLength(0);
  });

  it("withdraws the item when the held task is cancelled", async () => {
    const held = await submit("echo prod-deploy > cancelled.txt");
    const item = await itemOf(held.id);
    const cancelled = await cli(swarm, ["cancel", held.id]);
    expect(cancelled.exitCode).toBe(0);
    expect((await result(held.id)).status).toBe("cancelled");
    const after = (await items(true)).find((i) => i.id === item.id);
    expect(after).toMatchObject({ status: "withdrawn", reason: `task ${held.id} was cancelled` });
    const late = await answer(item.id, "approve");
    expect(late.exitCode).not.toBe(0);
    expect(existsSync(join(work, "cancelled.txt"))).toBe(false);
  });

  it("keeps a held task and its item across the daemon's death, and runs it when approved afterwards", async () => {
    const held = await submit("echo prod-deploy > restarted.txt");
    const item = await itemOf(held.id);
    await swarm.kill9();
    await swarm.start();
    await sleep(STAYS_MS);
    expect((await client.get(held.id)).status).toBe("queued");
    expect((await items()).find((i) => i.id === item.id)).toMatchObject({ status: "open" });
    expect(existsSync(join(work, "restarted.txt"))).toBe(false);
    expect((await answer(item.id, "approve")).exitCode).toBe(0);
    expect((await result(held.id)).status).toBe("completed");
    expect(existsSync(join(work, "restarted.txt"))).toBe(true);
    expect((await items(true)).filter((i) => i.source.type === "policy" && i.source.taskId === held.id)).toHaveLength(1);
  });
});

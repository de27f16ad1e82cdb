/**
 * Notifications from a running swarm (real redis-server and tmux): loopback
 * webhook receivers get exactly the events they subscribed to, in Slack's
 * format when asked, after a retry when the receiver failed once; a receiver
 * that never answers holds up no task; a command target gets the event's JSON
 * on stdin with the task's hostile text as data.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientInternals } from "../../client/index.js";
import { runCliAsync } from "../helpers/cli.js";
import { httpReceiver, type HttpReceiver } from "../helpers/http-receiver.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";

interface Posted {
  event: string;
  type: string;
  swarm: string;
  subject: string;
  text: string;
  fields: Record<string, string>;
  task?: { text: string; exitCode: number | null };
}

const bodies = (receiver: HttpReceiver, path: string) => receiver.to(path).map((request) => JSON.parse(request.body) as Posted);

describe("notifications from a running swarm", () => {
  let swarm: TestSwarm;
  let receiver: HttpReceiver;
  let dir: string;
  const marker = () => join(dir, "pwned");

  beforeAll(async () => {
    receiver = await httpReceiver({ "/slack": [500, 200], "/hang": ["hang"] });
    dir = mkdtempSync(join(tmpdir(), "ca-notify-cmd-"));
    writeFileSync(join(dir, "record"), '#!/bin/sh\ncat >> "$1/events.jsonl"\n');
    chmodSync(join(dir, "record"), 0o755);
    const yaml = `swarm: notifytest
agents:
  - name: alpha
    runtime: shell
    replicas: 1
    timeout: 60
notify:
  - type: webhook
    name: failures
    url: "${receiver.base}/\${HOOK_PATH}"
    events: [task.failed]
  - type: webhook
    name: chat
    url: ${receiver.base}/slack
    format: slack
    events: [task.failed]
  - type: webhook
    name: dead
    url: ${receiver.base}/hang
    events: [task.failed, task.timeout]
  - type: command
    name: pager
    command: [${join(dir, "record")}, ${dir}]
    events: [task.failed]
  - type: webhook
    name: people
    url: ${receiver.base}/people
    events: [needs-you, workflow.finished]
  - type: desktop
    events: [all]
# The tasks these tests fail on purpose would each wait in the inbox and be told to the needs-you target
# (test/spine/failed-tasks.test.ts tests that); here that target hears of the workflow's approval only.
inbox:
  failed_tasks: false
`;
    swarm = await startTestSwarm(yaml, { env: { HOOK_PATH: "failures-SECRET" } });
  }, 120_000);

  afterAll(async () => {
    await swarm?.destroy();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("posts one JSON message per failed task to the receiver subscribed to task.failed, and none for a completed task", { timeout: 120_000 }, async () => {
    const sdk = await swarm.connect();
    const first = await sdk.submit({ task: "echo broken; exit 3", agent: "alpha" });
    expect((await first.result()).status).toBe("failed");
    await waitFor("the failure's POST", () => receiver.to("/failures-SECRET").length === 1);
    const completed = await sdk.submit({ task: "echo fine", agent: "alpha" });
    expect((await completed.result()).status).toBe("completed");
    const second = await sdk.submit({ task: "exit 4", agent: "alpha" });
    expect((await second.result()).status).toBe("failed");
    // One target's messages go in order: the completed task, between the two failures, would have come before the second.
    await waitFor("the second failure's POST", () => receiver.to("/failures-SECRET").length === 2);
    const posted = bodies(receiver, "/failures-SECRET");
    expect(posted.map((p) => [p.event, p.subject])).toEqual([
      ["task.failed", first.id],
      ["task.failed", second.id],
    ]);
    expect(posted[0]).toMatchObject({
      type: "task.failed",
      swarm: "notifytest",
      fields: { taskId: first.id, agent: "alpha", status: "failed" },
      task: { text: "echo broken; exit 3", exitCode: 3 },
      text: `task ${first.id} failed on alpha with exit 3 · echo broken; exit 3`,
    });
    expect(receiver.to("/failures-SECRET")[0]?.headers["content-type"]).toBe("application/json");
  });

  it("posts Slack's { text } to a slack target, delivered on the retry after the receiver's 500", { timeout: 120_000 }, async () => {
    await waitFor("the chat target's retry", () => receiver.to("/slack").length >= 2);
    const [failedOnce, retried] = receiver.to("/slack");
    expect(failedOnce?.body).toBe(retried?.body);
    expect(Object.keys(JSON.parse(retried!.body))).toEqual(["text"]);
    expect(JSON.parse(retried!.body).text).toMatch(/^task \S+ failed on alpha with exit 3 · echo broken; exit 3$/);
  });

  it("keeps running tasks while a receiver never answers", { timeout: 120_000 }, async () => {
    expect(receiver.to("/hang").length).toBeGreaterThanOrEqual(1);
    expect(receiver.to("/hang").every((request) => !request.response.writableEnded)).toBe(true);
    const sdk = await swarm.connect();
    const next = await sdk.submit({ task: "echo after the dead receiver", agent: "alpha" });
    expect(await next.result()).toMatchObject({ status: "completed", output: expect.stringContaining("after the dead receiver") });
    // Its first request is still unanswered: the task's result did not wait for it.
    expect(receiver.to("/hang")[0]?.response.writableEnded).toBe(false);
  });

  it("gives a command target the event's JSON on stdin, the task's text staying data", { timeout: 120_000 }, async () => {
    const sdk = await swarm.connect();
    const hostile = `echo '$(touch ${marker()})' ; false # \`touch ${marker()}\` ; rm -rf ${dir}`;
    const task = await sdk.submit({ task: hostile, agent: "alpha" });
    expect((await task.result()).status).toBe("failed");
    const events = () =>
      existsSync(join(dir, "events.jsonl"))
        ? readFileSync(join(dir, "events.jsonl"), "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line) as Posted)
        : [];
    const received = await waitFor("the command's event", () => events().find((event) => event.subject === task.id));
    expect(received.task?.text).toBe(hostile);
    expect(existsSync(marker())).toBe(false);
    expect(existsSync(dir)).toBe(true);
  });

  it("tells the needs-you target about an approval waiting and the workflow's end, and nothing else", { timeout: 120_000 }, async () => {
    const file = join(dir, "gated.yaml");
    writeFileSync(
      file,
      "name: gated\nsteps:\n  - id: ok\n    approval: Ship it?\n  - id: after\n    agent: alpha\n    depends_on: ok\n    task: exit 5\n    on_failure: continue\n",
    );
    // The CLI runs beside this process's receiver: spawnSync would stop it from answering.
    const cli = (...args: string[]) => runCliAsync(args, { home: swarm.home });
    const run = await cli("workflow", "run", "--file", file, "--json");
    const executionId = (JSON.parse(run.stdout) as { id: string }).id;
    await waitFor("the needs-you POST", () => receiver.to("/people").length === 1);
    expect((await cli("approve", executionId, "ok")).exitCode).toBe(0);
    await waitFor("the workflow's end", () => receiver.to("/people").length === 2);
    const [waiting, finished] = bodies(receiver, "/people");
    expect(waiting).toMatchObject({ event: "needs-you", type: "inbox.opened", fields: { executionId, workflow: "gated", step: "ok" } });
    expect(waiting?.text).toMatch(/^needs you: .*Ship it\?.* \(claude-agent inbox i-\w+\)$/);
    expect(finished).toMatchObject({ event: "workflow.finished", subject: executionId, fields: { workflow: "gated" } });
    expect(finished?.type).toMatch(/^workflow\.(completed|failed)$/);
  });

  it("says in the swarm log that a desktop target is skipped without a display, and stores no webhook URL in Redis", async () => {
    const log = readFileSync(join(swarm.paths.logsDir, "swarm.jsonl"), "utf8");
    const skipped = log.split("\n").filter((line) => line.includes('"notify.unusable"'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toContain("desktop-6");
    const sdk = await swarm.connect();
    const { redis, keys } = clientInternals(sdk.client);
    const stored = (await redis.get(keys.config)) ?? "";
    expect(stored).toContain('"agents"');
    expect(stored).not.toContain(receiver.base);
    expect(log).not.toContain("failures-SECRET");
  });
});

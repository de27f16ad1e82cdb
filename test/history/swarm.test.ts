/**
 * The history in a real swarm, through the built CLI and the SDK: the
 * daemon's writer records tasks and their events; `tasks`, `--search` and
 * `history show` find them after Redis forgot them; `audit` names who
 * submitted, cancelled and approved, through which interface; and a damaged
 * history file is reported at `up`, rebuilt, and never stops tasks.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { clientInternals } from "../../client/index.js";

const YAML = "agents:\n  - name: alpha\n    runtime: shell\n    replicas: 2\n    timeout: 60\n";

function json<T>(text: string): T {
  return JSON.parse(text) as T;
}

describe("the history of a running swarm", () => {
  let swarm: TestSwarm;
  beforeAll(async () => {
    swarm = await startTestSwarm(YAML, { env: { CLAUDE_AGENT_ACTOR: "ann@cli-host" } });
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  const inHistory = async (id: string, status: string) => {
    const shown = swarm.cli(["history", "show", id, "--json"]);
    return (
      shown.exitCode === 0 &&
      json<{ task: { status: string }; source: string }>(shown.stdout).source === "history" &&
      json<{ task: { status: string } }>(shown.stdout).task.status === status
    );
  };

  it("lists, searches and shows tasks after Redis has forgotten them", { timeout: 240_000 }, async () => {
    const failed = swarm.cli(["submit", "--agent", "alpha", "--task", "echo 'schema migration failed: column exists'; exit 4", "--wait", "--json"]);
    const ok = swarm.cli(["submit", "--agent", "alpha", "--task", "echo all good", "--wait", "--json"]);
    const failedId = json<{ id: string }>(failed.stdout).id;
    const okId = json<{ id: string }>(ok.stdout).id;
    await waitFor("the failed task in the history", () => inHistory(failedId, "failed"));
    await waitFor("the completed task in the history", () => inHistory(okId, "completed"));
    const client = await swarm.connect();
    await clientInternals(client.client).ledger.remove([failedId, okId]); // what retention does
    expect(swarm.cli(["result", failedId]).exitCode).toBe(2);

    const shown = json<{ task: Record<string, unknown>; events: { type: string }[] }>(swarm.cli(["history", "show", failedId, "--json"]).stdout);
    expect(shown.task).toMatchObject({ id: failedId, status: "failed", exitCode: 4, agent: "alpha", submittedBy: "ann@cli-host", submittedVia: "cli" });
    expect(shown.task.output).toContain("schema migration failed");
    // The failed task's inbox item (inbox.opened) is one of its events too: only the task's own are listed here.
    expect(shown.events.map((e) => e.type).filter((type) => type.startsWith("task."))).toEqual(["task.submitted", "task.started", "task.failed"]);
    const text = swarm.cli(["history", "show", failedId]);
    expect(text.stdout).toMatch(/submitted\s+\S+ by ann@cli-host via cli/);

    const listed = json<{ tasks: { id: string }[] }>(swarm.cli(["tasks", "--agent", "alpha", "--since", "1h", "--json"]).stdout);
    expect(listed.tasks.map((t) => t.id)).toEqual(expect.arrayContaining([failedId, okId]));
    const failedOnly = json<{ tasks: { id: string }[] }>(swarm.cli(["tasks", "--status", "failed", "--json"]).stdout);
    expect(failedOnly.tasks.map((t) => t.id)).toEqual([failedId]);
    const found = json<{ tasks: { id: string; snippet: string }[] }>(swarm.cli(["tasks", "--search", "migrations failing", "--json"]).stdout);
    expect(found.tasks.map((t) => t.id)).toEqual([failedId]);
    expect(found.tasks[0]?.snippet).toContain("«migration»");
    const hostile = swarm.cli(["tasks", "--search", `"; DROP TABLE tasks; NEAR(x* --`]);
    expect(hostile.exitCode).toBe(0);
    expect(swarm.cli(["tasks", "--status", "bogus"]).exitCode).toBe(2);
    expect(swarm.cli(["tasks", "--cursor", "garbage"]).exitCode).toBe(2);
    expect(swarm.cli(["history", "show", "no-such-task"]).exitCode).toBe(2);
  });

  it("shows the history writer's state in status, status --json and doctor", { timeout: 120_000 }, async () => {
    const ran = swarm.cli(["submit", "--agent", "alpha", "--task", "echo writer state", "--wait", "--json"]);
    await waitFor("the task in the history", () => inHistory(json<{ id: string }>(ran.stdout).id, "completed"));
    const state = await waitFor("the writer caught up", () => {
      const history = json<{ history: { state: string; behind: number | null; pending: number; lastReadMs: number | null } }>(
        swarm.cli(["status", "--json"]).stdout,
      ).history;
      return history.behind === 0 && history.pending === 0 ? history : null;
    });
    expect(state).toMatchObject({ state: "ok", since: null, error: null });
    expect(state.lastReadMs).toEqual(expect.any(Number));
    expect(swarm.cli(["status"]).stdout).toMatch(/^history: ok: 0 event\(s\) behind, 0 read but not yet written; last read \d+ s ago$/m);
    expect(swarm.cli(["doctor"]).stdout).toMatch(/^ok\s+history writer: ok: /m);
  });

  it("records who submitted, cancelled and approved, and through which interface", { timeout: 240_000 }, async () => {
    const sdk = await swarm.connect();
    const viaSdk = await sdk.submit({ task: "echo from the sdk", agent: "alpha" });
    await viaSdk.result();
    const long = json<{ id: string }>(swarm.cli(["submit", "--agent", "alpha", "--task", "sleep 30", "--json"]).stdout).id;
    await waitFor("the long task to start", async () => (await sdk.result(long)).status === "running");
    expect(swarm.cli(["cancel", long]).exitCode).toBe(0);
    const file = join(swarm.home, "approve.yaml");
    writeFileSync(
      file,
      "name: gated\nsteps:\n  - id: ok\n    approval: Go ahead?\n  - id: after\n    agent: alpha\n    depends_on: ok\n    task: echo approved\n",
    );
    const run = swarm.cli(["workflow", "run", "--file", file, "--json"]);
    const executionId = json<{ id: string }>(run.stdout).id;
    await waitFor("the approval step", () => swarm.cli(["workflow", "show", executionId, "--json"]).stdout.includes('"waiting-approval"'));
    expect(swarm.cli(["approve", executionId, "ok"]).exitCode).toBe(0);
    const expected: [string, string, string, string][] = [
      ["task.submit", "ann@cli-host", "cli", long],
      ["task.cancel", "ann@cli-host", "cli", long],
      ["workflow.run", "ann@cli-host", "cli", executionId],
      ["step.approve", "ann@cli-host", "cli", `${executionId}/ok`],
    ];
    type Entry = { action: string; actor: string; via: string; target: string };
    const entries = async () => json<{ entries: Entry[] }>(swarm.cli(["audit", "--since", "1h", "--json", "--limit", "1000"]).stdout).entries;
    await waitFor("the audit entries", async () => {
      const got = (await entries()).map((e) => [e.action, e.actor, e.via, e.target].join(" "));
      return expected.every((row) => got.includes(row.join(" ")));
    });
    const all = await entries();
    const sdkEntry = all.find((e) => e.action === "task.submit" && e.target === viaSdk.id);
    expect(sdkEntry?.via).toBe("sdk");
    expect(sdkEntry?.actor).toMatch(/^\S+@\S+$/); // this test process's user@host
    const workflowTask = all.find((e) => e.action === "task.submit" && e.actor === `workflow:${executionId}`);
    expect(workflowTask?.via).toBe("workflow");
    type Listed = { tasks: { step: string | null; workflow: string | null }[] };
    await waitFor(
      "the step's task linked to its workflow",
      () => json<Listed>(swarm.cli(["tasks", "--workflow", executionId, "--json"]).stdout).tasks.some((t) => t.step === "after" && t.workflow === "gated"),
      { timeoutMs: 30_000 },
    );
    const onlyCancels = json<{ entries: Entry[] }>(swarm.cli(["audit", "--action", "task.cancel", "--json"]).stdout).entries;
    expect(onlyCancels.map((e) => e.target)).toEqual([long]);
  });
});

describe("a damaged history file", () => {
  it("is reported when the daemon starts, moved aside and rebuilt from Redis, and tasks run meanwhile", { timeout: 240_000 }, async () => {
    const swarm = await startTestSwarm(YAML);
    try {
      const before = json<{ id: string }>(swarm.cli(["submit", "--agent", "alpha", "--task", "echo before the damage", "--wait", "--json"]).stdout).id;
      await swarm.kill9();
      const file = join(swarm.home, "history", "history.db");
      mkdirSync(join(swarm.home, "history"), { recursive: true });
      for (const suffix of ["-wal", "-shm"]) writeFileSync(file + suffix, "");
      writeFileSync(file, "garbage, not a database\n".repeat(500));
      await swarm.start();
      const after = swarm.cli(["submit", "--agent", "alpha", "--task", "echo after the damage", "--wait", "--json"]);
      expect(after.exitCode).toBe(0);
      const log = readFileSync(join(swarm.home, "daemon.test.log"), "utf8");
      expect(log).toMatch(/history: history store SQLite .*history\.db: it was damaged/);
      await waitFor("the rebuilt task", () => swarm.cli(["history", "show", before, "--json"]).stdout.includes('"source": "history"'));
      const afterId = json<{ id: string }>(after.stdout).id;
      await waitFor("the new task", () => swarm.cli(["history", "show", afterId, "--json"]).stdout.includes('"source": "history"'));
      expect(swarm.cli(["logs", "--json"]).stdout).toContain("history.rebuilt");
    } finally {
      await swarm.destroy();
    }
  });
});

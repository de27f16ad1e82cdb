/**
 * Backup and restore of a whole swarm through the built CLI: Redis state
 * (tasks, queues, the event stream) and the history go into one .tar.zst
 * and come back together; a backup of another swarm is refused unless
 * forced; `export --format jsonl` writes every table as JSON lines.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";

const YAML = "agents:\n  - name: alpha\n    runtime: shell\n    timeout: 60\n";
const json = <T>(text: string): T => JSON.parse(text) as T;

describe("backup and restore", () => {
  let a: TestSwarm;
  let b: TestSwarm;
  beforeAll(async () => {
    a = await startTestSwarm(YAML);
    b = await startTestSwarm(YAML);
  }, 120_000);
  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
  });

  it("puts back the Redis state and the history as they were at the backup", { timeout: 300_000 }, async () => {
    const kept = json<{ id: string }>(a.cli(["submit", "--agent", "alpha", "--task", "echo kept in the backup", "--wait", "--json"]).stdout).id;
    const note = a.cli(["memory", "add", "Backups are taken nightly"]).stdout.trim();
    const file = join(a.home, "swarm.tar.zst");
    const made = a.cli(["backup", "--out", file, "--json"]);
    expect(made.exitCode, made.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
    const manifest = json<{ redisKeys: number; rows: Record<string, number>; streamLastId: string }>(made.stdout);
    expect(manifest.redisKeys).toBeGreaterThan(0);
    expect(manifest.rows.tasks).toBeGreaterThanOrEqual(1); // the store caught up with the stream before the dump
    const later = json<{ id: string }>(a.cli(["submit", "--agent", "alpha", "--task", "echo after the backup", "--wait", "--json"]).stdout).id;

    expect(a.cli(["restore", file]).exitCode).toBe(2); // the swarm is running
    expect(a.cli(["down"]).exitCode).toBe(0);
    const restored = a.cli(["restore", file]);
    expect(restored.exitCode, restored.stderr).toBe(0);
    await a.start();
    expect(json<{ status: string }>(a.cli(["result", kept, "--json"]).stdout).status).toBe("completed");
    expect(a.cli(["result", later]).exitCode).toBe(2);
    const shown = json<{ source: string }>(a.cli(["history", "show", kept, "--json"]).stdout);
    expect(shown.source).toBe("history");
    expect(a.cli(["history", "show", later]).exitCode).toBe(2);
    expect(a.cli(["memory", "list"]).stdout).toContain(note);
    const actions = json<{ entries: { action: string }[] }>(a.cli(["audit", "--json"]).stdout).entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["swarm.restore", "swarm.backup", "memory.add", "task.submit"]));
    // The restored swarm works on: a new task is run and recorded.
    const next = json<{ id: string }>(a.cli(["submit", "--agent", "alpha", "--task", "echo after the restore", "--wait", "--json"]).stdout).id;
    await waitFor("the new task in the history", () => a.cli(["history", "show", next, "--json"]).stdout.includes('"source": "history"'), {
      timeoutMs: 30_000,
    });
  });

  it("refuses a backup of another swarm unless forced", { timeout: 300_000 }, async () => {
    const file = join(a.home, "swarm.tar.zst");
    expect(b.cli(["down"]).exitCode).toBe(0);
    const refused = b.cli(["restore", file]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/a backup of another swarm/);
    expect(refused.stderr).toMatch(/--force/);
    const forced = b.cli(["restore", file, "--force"]);
    expect(forced.exitCode, forced.stderr).toBe(0);
  });

  it("exports every table as JSON lines", { timeout: 120_000 }, () => {
    const exported = a.cli(["export", "--format", "jsonl"]);
    expect(exported.exitCode, exported.stderr).toBe(0);
    const lines = exported.stdout
      .trim()
      .split("\n")
      .map((line) => json<{ table: string; row: Record<string, unknown> }>(line));
    expect(new Set(lines.map((l) => l.table))).toEqual(new Set(["tasks", "events", "audit", "memory", "history_meta"]));
    expect(lines.find((l) => l.table === "tasks")?.row).toHaveProperty("task");
    expect(a.cli(["export", "--format", "csv"]).exitCode).toBe(2);
  });
});

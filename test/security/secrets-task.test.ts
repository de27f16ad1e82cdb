/**
 * Finding 10 for tasks, against a real swarm: the task text is stored (and
 * shown) redacted, while the run gets the raw text; the raw copy lives only
 * while the task is open; the dispatch files that hold it are 0600 and gone
 * once the task ends; what the pane shows of the task is redacted.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { runCliBytes } from "./terminal-support.js";
import { clientInternals } from "../../client/index.js";

const DB_URL = "postgres://app:pw-very-secret-9@db.internal:5432/app";
const GITHUB = "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const SECRETS = ["pw-very-secret-9", GITHUB, AWS_SECRET];

describe("secrets in a task's text", { timeout: 120_000 }, () => {
  let swarm: TestSwarm;
  let client: Swarm;
  beforeAll(async () => {
    swarm = await startTestSwarm();
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  const cli = (args: readonly string[]) => runCliBytes(swarm.home, args);
  const jobFiles = (id: string) => readdirSync(swarm.paths.jobsDir).filter((name) => name.startsWith(`${id}-`));

  it("are stored redacted, run raw, and leave no raw copy behind once the task ended", async () => {
    const task = [
      // Held until the test has looked at its dispatch file (the CLI alone can take seconds to exit on a loaded machine).
      "until [ -e secrets-release ]; do sleep 0.05; done",
      `printf '%s\\n' '${DB_URL}' > seen-db.txt`,
      `export GITHUB_TOKEN=${GITHUB}; printf '%s\\n' "$GITHUB_TOKEN" > seen-gh.txt`,
      `printf '%s\\n' 'aws_secret_access_key = ${AWS_SECRET}' > seen-aws.txt`,
      "echo done",
    ].join("\n");
    const submitted = await cli(["submit", "--task", task, "--agent", "alpha", "--json"]);
    const { id } = JSON.parse(submitted.stdout.toString("utf8")) as { id: string };
    const keys = clientInternals(client.client).ledger.keys;

    // The record as anyone reading Redis sees it: redacted, user and host kept.
    const stored = await clientInternals(client.client).redis.hget(keys.task(id), "task");
    for (const secret of SECRETS) expect(stored).not.toContain(secret);
    expect(stored).toContain("postgres://app:[redacted]@db.internal:5432/app");
    expect(stored).toContain("export GITHUB_TOKEN=[redacted]");

    // While it runs: the dispatch's script is raw and private, what the pane shows is not.
    const deadline = Date.now() + 30_000;
    const jobFile = join(swarm.paths.jobsDir, `${id}-1.job`);
    while (!existsSync(jobFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    // The dispatch's one file: five lines, then NUL-terminated fields: what the pane shows, then (no variables, no sandbox) the text it runs.
    const fields = readFileSync(jobFile, "utf8").split("\0");
    const preview = fields[0]!.split("\n").slice(5).join("\n");
    expect(fields[1]).toBe(task);
    expect(statSync(jobFile).mode & 0o777).toBe(0o600);
    for (const secret of SECRETS) expect(preview).not.toContain(secret);
    expect(await clientInternals(client.client).redis.get(keys.taskRaw(id))).toBe(task);
    writeFileSync(join(swarm.home, "secrets-release"), "");

    const result = await client.client.result(id, { wait: true });
    expect(result.status).toBe("completed");
    // The run had the raw values.
    expect(readFileSync(join(swarm.home, "seen-db.txt"), "utf8")).toBe(`${DB_URL}\n`);
    expect(readFileSync(join(swarm.home, "seen-gh.txt"), "utf8")).toBe(`${GITHUB}\n`);
    expect(readFileSync(join(swarm.home, "seen-aws.txt"), "utf8")).toBe(`aws_secret_access_key = ${AWS_SECRET}\n`);

    // Ended: no raw copy in Redis (gone with the terminal state, in one transaction); the bridge
    // removes the dispatch files right after recording it.
    expect(await clientInternals(client.client).redis.exists(keys.taskRaw(id))).toBe(0);
    const gone = Date.now() + 10_000;
    while (jobFiles(id).length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 25));
    expect(jobFiles(id)).toEqual([]);
    const record = await clientInternals(client.client).redis.hgetall(keys.task(id));
    for (const secret of SECRETS) expect(JSON.stringify(record)).not.toContain(secret);
  });

  it("printed by the task are redacted in its result, its events and what the CLI shows", async () => {
    const task = `printf '%s\\n' 'connect ${DB_URL}' 'token=${GITHUB}' 'AWS_SECRET_ACCESS_KEY=${AWS_SECRET}'`;
    const waited = await cli(["submit", "--task", task, "--agent", "beta", "--wait"]);
    expect(waited.exitCode).toBe(0);
    const shown = waited.stdout.toString("utf8");
    for (const secret of SECRETS) expect(shown).not.toContain(secret);
    expect(shown).toContain("connect postgres://app:[redacted]@db.internal:5432/app");
    const id = /^task (\S+):/.exec(shown)![1]!;
    const [asJson, logs] = await Promise.all([cli(["result", id, "--json"]), cli(["logs", "-n", "200", "--json"])]);
    for (const secret of SECRETS) {
      expect(asJson.stdout.toString("utf8")).not.toContain(secret);
      expect(logs.stdout.toString("utf8")).not.toContain(secret);
    }
    // The output file is the task's own output, kept whole: that is where the raw text is.
    const { outputFile } = JSON.parse(asJson.stdout.toString("utf8")) as { outputFile: string };
    expect(readFileSync(outputFile, "utf8")).toContain(DB_URL);
  });

  it("a task whose raw copy was lost fails with a reason instead of running the redacted text", async () => {
    const task = `sleep 1; printf '%s' '${DB_URL}' > lost.txt`;
    // The raw copy goes before a session takes the task: beta is kept busy meanwhile.
    const blocker = await client.submit({ task: "sleep 3", agent: "beta" });
    const submitted = await client.submit({ task, agent: "beta" });
    await clientInternals(client.client).redis.del(clientInternals(client.client).ledger.keys.taskRaw(submitted.id));
    const result = await submitted.result();
    await blocker.result();
    expect(result.status).toBe("failed");
    expect(result.reason).toMatch(/held secrets/);
    expect(existsSync(join(swarm.home, "lost.txt"))).toBe(false);
  });
});

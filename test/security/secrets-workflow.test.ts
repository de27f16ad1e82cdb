/**
 * Findings 4 and 10 for workflows, through the built CLI against a real
 * swarm: secret params are shown redacted by `workflow show` (text and
 * --json), `monitor`, `list` and `logs`, while the steps run with the raw
 * values; a step output templated into an approval question cannot rewrite
 * the question a person is asked to approve.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { WorkflowClient } from "../../workflows/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { stateUntil, workflowFile } from "../workflows/support.js";
import { expectTerminalSafe, printBytesTask, runCliBytes } from "./terminal-support.js";

const TOKEN = "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
const DB = "postgres://app:pw-very-secret-9@db.internal/app";
const SECRETS = [TOKEN, "pw-very-secret-9"];

/** What the first step prints: the real version, then a carriage return and an innocent one over it, and a title change. */
const FETCHED = Buffer.from("v2.0-drops-the-users-table\x1b]0;pwned-title\x07\rv1.0.1 (typo fix)\x1b[K", "utf8");

describe("a workflow with secret params and a hostile step output", { timeout: 180_000 }, () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let workflows: WorkflowClient;
  let dir: string;
  beforeAll(async () => {
    swarm = await startTestSwarm();
    client = await swarm.connect();
    workflows = new WorkflowClient(client.client);
    dir = mkdtempSync(join(tmpdir(), "ca-sec-wf-"));
  });
  afterAll(async () => {
    await workflows?.close();
    await swarm?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: readonly string[], options?: { stopWhen?: (stdout: string) => boolean; killAfterMs?: number }) => runCliBytes(swarm.home, args, options);

  it("shows params redacted and the approval question whole, while the steps ran with the raw values", async () => {
    const file = workflowFile(
      dir,
      `
name: hostile-approval
params:
  token: { required: true }
  db: { required: true }
steps:
  - id: fetch
    agent: alpha
    task: ${JSON.stringify(printBytesTask(FETCHED, 0).replace(/; echo; exit 0$/, ""))}
  - id: use
    agent: beta
    task: printf '%s\\n' {{params.token}} > wf-seen.txt
  - id: approve
    depends_on: [fetch, use]
    approval: "Deploy {{steps.fetch.output}} to {{params.db}}?"
`,
    );
    const started = await cli(["workflow", "run", "--file", file, "--params", `token=${TOKEN}`, `db=${DB}`, "--json"]);
    const { id, params } = JSON.parse(started.stdout.toString("utf8")) as { id: string; params: Record<string, string> };
    for (const secret of SECRETS) expect(JSON.stringify(params)).not.toContain(secret);
    await stateUntil(workflows, id, "the approval step to wait", (state) => state.steps.approve?.status === "waiting-approval", 60_000);

    // The steps had the raw value.
    expect(readFileSync(join(swarm.home, "wf-seen.txt"), "utf8")).toBe(`${TOKEN}\n`);

    const [show, showJson, list, logs, logsJson] = await Promise.all([
      cli(["workflow", "show", id]),
      cli(["workflow", "show", id, "--json"]),
      cli(["workflow", "list"]),
      cli(["logs", "-n", "300"]),
      cli(["logs", "-n", "300", "--json"]),
    ]);
    const monitor = await cli(["monitor", id], { stopWhen: (out) => out.includes("approve: claude-agent approve"), killAfterMs: 30_000 });
    for (const [what, result] of [
      ["workflow show", show],
      ["workflow list", list],
      ["logs", logs],
      ["monitor", monitor],
    ] as const) {
      expectTerminalSafe(result, what);
      for (const secret of SECRETS) expect(result.stdout.toString("utf8"), what).not.toContain(secret);
    }
    for (const secret of SECRETS) {
      expect(showJson.stdout.toString("utf8")).not.toContain(secret);
      expect(logsJson.stdout.toString("utf8")).not.toContain(secret);
    }
    const shown = show.stdout.toString("utf8");
    expect(shown).toContain("params: token=[redacted], db=postgres://app:[redacted]@db.internal/app");
    // The question as asked: the version the step really fetched is on screen, not overwritten by the one after the carriage return.
    expect(shown).toContain("  │ Deploy v2.0-drops-the-users-table\n  │ v1.0.1 (typo fix) to postgres://app:[redacted]@db.internal/app?\n");

    const approved = await cli(["approve", id, "approve"]);
    expectTerminalSafe(approved, "approve");
    const final = await stateUntil(workflows, id, "the execution to complete", (state) => state.status === "completed", 60_000);
    expect(final.status).toBe("completed");
  });
});

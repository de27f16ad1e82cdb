/**
 * Finding 4, through the built CLI against a real swarm: a task's output or
 * text that carries terminal controls reaches a person's terminal as plain
 * text only (printable characters, \n and \t), from every command that shows
 * it; `--json` and the output file keep what the task printed.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { controlsIn, expectTerminalSafe, HOSTILE_OUTPUTS, printBytesTask, runCliBytes } from "./terminal-support.js";
import { clientInternals } from "../../client/index.js";

describe("terminal escapes in what tasks print and say", { timeout: 120_000 }, () => {
  let swarm: TestSwarm;
  let client: Swarm;
  beforeAll(async () => {
    swarm = await startTestSwarm();
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  const cli = (args: readonly string[], options?: { killAfterMs?: number; stopWhen?: (stdout: string) => boolean }) => runCliBytes(swarm.home, args, options);

  describe.each(HOSTILE_OUTPUTS)("a task that fails after printing %s", (what, bytes) => {
    it("submit --wait and result show it as plain text under the real status line; --json and the output file keep it", async () => {
      const waited = await cli(["submit", "--task", printBytesTask(bytes, 3), "--agent", "alpha", "--wait"]);
      expectTerminalSafe(waited, `submit --wait (${what})`);
      expect(waited.exitCode).toBe(1);
      const head = /^task (\S+): failed · exit 3 · agent alpha/.exec(waited.stdout.toString("utf8"));
      expect(head, waited.stdout.toString("utf8")).not.toBeNull();
      const id = head![1]!;

      const [shown, asJson] = await Promise.all([cli(["result", id]), cli(["result", id, "--json"])]);
      expectTerminalSafe(shown, `result (${what})`);
      expect(shown.exitCode).toBe(1);
      expect(shown.stdout.toString("utf8").split("\n")[0]).toMatch(new RegExp(`^task ${id}: failed · exit 3`));

      const result = JSON.parse(asJson.stdout.toString("utf8")) as { output: string; outputFile: string };
      expect(result.output).toBe((await clientInternals(client.client).ledger.get(id))!.output);
      expect(readFileSync(result.outputFile)).toEqual(Buffer.concat([bytes, Buffer.from("\n")]));
    });
  });

  it("--json keeps the control characters the display drops (a carriage return, BEL)", async () => {
    const done = await cli(["submit", "--task", "printf 'status: failed\\rstatus: completed\\a\\n'", "--agent", "beta", "--wait", "--json"]);
    const result = JSON.parse(done.stdout.toString("utf8")) as { id: string; output: string };
    expect(result.output).toBe("status: failed\rstatus: completed\x07\n");
    const shown = await cli(["result", result.id]);
    expectTerminalSafe(shown, "result");
    expect(shown.stdout.toString("utf8")).toContain("status: failed\nstatus: completed\n");
  });

  it("status --watch shows a running task's text with its controls taken out", async () => {
    const text = `sleep 30 # \x1b]52;c;${Buffer.from("rm -rf ~").toString("base64")}\x07\x1b]0;pwned-title\x07\r\x1b[2Kquiet \u009b2J`;
    const submitted = await cli(["submit", "--task", text, "--agent", "beta"]);
    expectTerminalSafe(submitted, "submit");
    const id = submitted.stdout.toString("utf8").trim();
    const deadline = Date.now() + 15_000;
    while ((await clientInternals(client.client).ledger.get(id))?.status !== "running" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const shows = new RegExp(`${id} sleep 30 #`);
    const watched = await cli(["status", "--watch", "--interval", "0.3"], { stopWhen: (out) => shows.test(out), killAfterMs: 30_000 });
    expectTerminalSafe(watched, "status --watch");
    expect(watched.stdout.toString("utf8")).toMatch(shows);
    const status = await cli(["status"]);
    expectTerminalSafe(status, "status");
    await client.client.cancel(id);
  });

  it("logs shows events whose text carries controls as plain lines, and --json keeps them", async () => {
    // A reason is free text on a terminal event: a cancel's reason is ours, so publish one as another component would.
    await client.client.events.publish("task.failed", { taskId: "t-hostile", agent: "alpha", message: "boom\x1b]0;pwned-title\x07\x1b[2J\rok" });
    const [plain, asJson] = await Promise.all([cli(["logs", "-n", "500"]), cli(["logs", "-n", "500", "--json"])]);
    expectTerminalSafe(plain, "logs");
    expect(plain.stdout.toString("utf8")).toMatch(/t-hostile\s+alpha\s+boom ok/);
    const events = asJson.stdout
      .toString("utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { taskId?: string; message?: string });
    expect(events.find((e) => e.taskId === "t-hostile")?.message).toBe("boom\x1b]0;pwned-title\x07\x1b[2J\rok");
    expect(controlsIn(asJson.stdout)).toEqual([]); // JSON escapes them: the stream itself is inert
  });
});

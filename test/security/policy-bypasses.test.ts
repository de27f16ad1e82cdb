/**
 * Issue 11, finding 6: the command policy, through a real swarm. Each bypass
 * the issue reports is refused at submit (exit 2, the rule named, the task
 * recorded `rejected`, nothing typed into a pane); an allow list must match
 * whole commands; deny patterns see commands after quote removal; a 120 KB
 * script goes through, checked off the event loop.
 *
 * Safety, for code where the policy lets a bypass through: the agent's PATH
 * starts with stand-ins for rm, mkfs and curl that only record that they ran,
 * and every rm target is `/` alone, which GNU rm refuses anyway.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

const BYPASSES: readonly (readonly [task: string, rule: string])[] = [
  ["r''m -rf /", "rm-rf-root"],
  ["$(echo rm) -rf /", "dynamic-command"],
  ["rm -f -r /", "rm-rf-root"],
  ["m''kfs", "mkfs"],
  ["r\\\nm -rf /", "rm-rf-root"],
  ["curl -s http://127.0.0.1:9/install.sh|/bin/sh", "download-piped-to-shell"],
  ["echo start && \\rm --force --recursive /", "rm-rf-root"],
  ["bash -c \"r''m -rf /\"", "rm-rf-root"],
  ["eval 'rm -rf /'", "rm-rf-root"],
  ["$'\\x72\\x6d' -rf /", "rm-rf-root"],
  ["echo 'rm -rf /' | sh", "rm-rf-root"],
];

describe("the command policy through a real swarm", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let work: string;
  let mark: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "ca-sec-policy-"));
    const fakes = join(work, "bin");
    mark = join(work, "ran.log");
    mkdirSync(fakes);
    for (const name of ["rm", "mkfs", "curl"]) {
      const script = name === "curl" ? `#!/bin/sh\necho 'echo curl-output-ran >> ${mark}'\n` : `#!/bin/sh\necho "${name} $*" >> ${mark}\n`;
      writeFileSync(join(fakes, name), script);
      chmodSync(join(fakes, name), 0o755);
    }
    swarm = await startTestSwarm(`
agents:
  - name: sh
    runtime: shell
    cwd: ${work}
    env: { PATH: "${fakes}:/usr/local/bin:/usr/bin:/bin" }
  - name: other
    runtime: shell
    cwd: ${work}
  - name: listed
    runtime: shell
    cwd: ${work}
    policy:
      allow: ['echo .*', 'npm test']
  - name: guarded
    runtime: shell
    cwd: ${work}
    policy:
      deny: ['git\\s+push']
`);
    client = await swarm.connect();
    // The stand-ins are what the agent runs: a bypass that got through would only leave a line in ran.log.
    const which = await (await client.submit({ task: "command -v rm", agent: "sh" })).result({ signal: AbortSignal.timeout(30_000) });
    expect(which).toMatchObject({ status: "completed", output: `${join(fakes, "rm")}\n` });
  });
  afterAll(async () => {
    await swarm?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.each(BYPASSES)("refuses %j at submit: exit 2, rule %s named, recorded rejected, nothing run", (task, rule) => {
    const submitted = swarm.cli(["submit", "--agent", "sh", "--task", task]);
    expect(submitted.stderr).toMatch(new RegExp(`^error: task \\S+ was refused: refused by policy rule ${rule}: `));
    expect(submitted.exitCode).toBe(2);
    const id = /^error: task (\S+) was refused/.exec(submitted.stderr)![1]!;
    const result = JSON.parse(swarm.cli(["result", id, "--json"]).stdout);
    expect(result).toMatchObject({ status: "rejected", session: null, exitCode: null, reason: expect.stringContaining(`refused by policy rule ${rule}`) });
  });

  it("ran none of them: no stand-in was called, and the event stream has a task.rejected for each", () => {
    expect(existsSync(mark) ? readFileSync(mark, "utf8") : "").toBe("");
    const events = swarm.cli(["logs", "sh", "--json", "-n", "200"]).stdout;
    expect(events.split("\n").filter((line) => line.includes('"type":"task.rejected"')).length).toBeGreaterThanOrEqual(BYPASSES.length);
  });

  it("refuses a NUL byte before the policy even sees the text (bash would run mk\\0fs as mkfs)", async () => {
    await expect(client.submit({ task: "mk\0fs /dev/sda", agent: "sh" })).rejects.toThrow(UsageError);
    await expect(client.submit({ task: "mk\0fs /dev/sda", agent: "sh" })).rejects.toThrow(/the task text contains a NUL byte \(character 2\)/);
  });

  it("applies an allow list to every command, each matched whole", async () => {
    const refused = swarm.cli(["submit", "--agent", "listed", "--task", `echo ok; touch ${join(work, "not-allowed")}`]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`refused by policy: the command "touch ${join(work, "not-allowed")}" matches none of the agent's allow patterns`);
    expect(swarm.cli(["submit", "--agent", "listed", "--task", "npm test --coverage"]).stderr).toContain('the command "npm test --coverage" matches none');
    const allowed = await (await client.submit({ task: "echo ok && echo fine", agent: "listed" })).result({ signal: AbortSignal.timeout(30_000) });
    expect(allowed).toMatchObject({ status: "completed", output: "ok\nfine\n" });
    expect(existsSync(join(work, "not-allowed"))).toBe(false);
  });

  it("matches deny patterns against each command after quote removal", () => {
    for (const task of ["g''it push origin main", "echo x; git \\\n push", "cd . && sudo git 'push'"]) {
      const refused = swarm.cli(["submit", "--agent", "guarded", "--task", task]);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain("refused by policy rule deny[0] git\\s+push");
    }
  });

  it("checks a 120 KB script off the event loop and runs it; a task on another agent runs meanwhile", { timeout: 240_000 }, async () => {
    // A step output of the kind that froze the daemon: one long word (hex data). The old fork-bomb regex
    // (a backreference over \w+) took over a minute on 120 KB of it, on a loaded machine.
    const output = randomBytes(60_000).toString("hex");
    const script = `echo "${output}" | wc -c`;
    expect(script.length).toBeGreaterThan(120_000);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const [big, other] = await Promise.all([client.submit({ task: script, agent: "sh" }), client.submit({ task: "echo other agent", agent: "other" })]);
    // The histogram records a stall when its timer next fires, which is after these promises settle.
    await new Promise((resolve) => setTimeout(resolve, 50));
    delay.disable();
    expect(big.rejected).toBeUndefined();
    expect(await other.result({ signal: AbortSignal.timeout(180_000) })).toMatchObject({ status: "completed", output: "other agent\n" });
    expect(await big.result({ signal: AbortSignal.timeout(180_000) })).toMatchObject({ status: "completed", output: `${output.length + 1}\n` });
    console.info(
      `submitting the 120 KB script: longest event-loop stall in the submitting process ${Math.round(delay.max / 1e6)} ms (p99 ${Math.round(delay.percentile(99) / 1e6)} ms)`,
    );
  });
});

/**
 * Per-agent command policy from swarm.yaml, end to end through a real swarm
 * of shell agents: a refused task ends `rejected` with the rule at submit and
 * nothing reaches its pane; an allow list restricts an agent to commands that
 * match a pattern as a whole; the safe defaults always apply; a bad pattern
 * stops `up` with its path. Without supervisor.llm, everything routes by
 * keywords and the LLM features say they are off.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startTestSwarm, tempHome, type TestSwarm } from "../helpers/swarm.js";
import { capturePane, cli } from "./support.js";

describe("command policy from swarm.yaml", () => {
  let swarm: TestSwarm;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "ca-policy-"));
    swarm = await startTestSwarm(`
agents:
  - name: guarded
    runtime: shell
    cwd: ${work}
    routes: [deploy]
    policy:
      deny: ['git\\s+push', '\\bnpm\\s+publish\\b']
  - name: tester
    runtime: shell
    cwd: ${work}
    routes: [test]
    policy:
      allow: ['echo .*', 'npm test']
default_agent: guarded
`);
  });
  afterAll(async () => {
    await swarm?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("rejects a denied shell task at submit, naming the rule, and types nothing into the pane", async () => {
    const client = await swarm.connect();
    const handle = await client.submit({ task: "touch denied-marker.txt && git push origin main", agent: "guarded" });
    const result = await handle.result({ signal: AbortSignal.timeout(10_000) });
    expect(result).toMatchObject({ status: "rejected", session: null, exitCode: null, reason: "refused by policy rule deny[0] git\\s+push" });
    // The pane never saw it, and a later task still runs there.
    const after = await client.submit({ task: "echo still-works", agent: "guarded" });
    expect(await after.result({ signal: AbortSignal.timeout(10_000) })).toMatchObject({ status: "completed", output: "still-works\n" });
    expect(capturePane(swarm, "guarded-1")).not.toContain("denied-marker");
    expect(existsSync(join(work, "denied-marker.txt"))).toBe(false);
    const events = await cli(swarm, ["logs", "guarded", "--json"]);
    expect(events.stdout).toContain('"type":"task.rejected"');
  });

  it("shows the refusal from the CLI, with exit code 2 (bad input), with or without --wait", async () => {
    for (const wait of [["--wait"], []]) {
      const submitted = await cli(swarm, ["submit", "--agent", "guarded", ...wait, "--task", "npm publish --access public"]);
      expect(submitted.exitCode).toBe(2);
      expect(submitted.stderr).toMatch(/^error: task \S+ was refused: refused by policy rule deny\[1\] \\bnpm\\s\+publish\\b\n$/);
    }
  });

  it("restricts an agent with an allow list to the commands it matches", async () => {
    const client = await swarm.connect();
    const refused = await (await client.submit({ task: "touch not-allowed.txt", agent: "tester" })).result();
    expect(refused).toMatchObject({
      status: "rejected",
      reason: 'refused by policy: the command "touch not-allowed.txt" matches none of the agent\'s allow patterns',
    });
    const allowed = await (await client.submit({ task: "echo allowed", agent: "tester" })).result({ signal: AbortSignal.timeout(10_000) });
    expect(allowed).toMatchObject({ status: "completed", output: "allowed\n" });
    expect(existsSync(join(work, "not-allowed.txt"))).toBe(false);
  });

  it("keeps the safe defaults for every shell agent", async () => {
    const client = await swarm.connect();
    const result = await (await client.submit({ task: "echo ok; rm -rf /", agent: "tester" })).result();
    expect(result).toMatchObject({ status: "rejected", reason: "refused by policy rule rm-rf-root: rm -r on /" });
  });

  it("routes by keywords and says the LLM features are off when no model is configured", async () => {
    const client = await swarm.connect();
    const handle = await client.submit({ task: "echo run the test suite" });
    expect(handle).toMatchObject({ agent: "tester", routedBy: "keywords: test" });
    await handle.result({ signal: AbortSignal.timeout(10_000) });
    const status = await cli(swarm, ["status", "--json"]);
    expect(JSON.parse(status.stdout).llm).toEqual({ enabled: false, detail: expect.stringMatching(/^off: swarm\.yaml has no supervisor\.llm/) });
    const summary = await cli(swarm, ["result", handle.id, "--summary"]);
    expect(summary.exitCode).toBe(2);
    expect(summary.stderr).toContain("no model is configured for the supervisor");
    expect(summary.stderr).toContain("supervisor: { llm: { base_url, model, api_key_env } }");
    const doctor = await cli(swarm, ["doctor"]);
    expect(doctor.stdout).toContain("LLM features (optional): off: swarm.yaml has no supervisor.llm");
  });
});

describe("a policy pattern that is not a regular expression", () => {
  it("stops `up` with the problem's path", () => {
    const home = tempHome();
    try {
      const file = join(home, "swarm.yaml");
      writeFileSync(file, "agents:\n  - name: a\n    runtime: shell\n    policy: { deny: ['rm (-rf'] }\n");
      const result = runCli(["up", "--config", file], { home });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(
        'swarm.yaml: agents.0.policy.deny.0: expected a regular expression, got "rm (-rf" (Invalid regular expression: /rm (-rf/: Unterminated group)',
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

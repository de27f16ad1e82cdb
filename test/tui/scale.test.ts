import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { TestTerminal } from "./terminal.js";

const NAMES = ["api", "web", "db", "auth", "search", "billing", "mail", "jobs", "cache", "docs", "infra", "mobile", "ml", "etl", "ops", "qa"];
const YAML = `agents:\n${NAMES.map((name) => `  - name: ${name}\n    runtime: shell\n    replicas: 4\n    timeout: 60\n`).join("")}default_agent: api\n`;

/** CPU time (user + system) of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe("the dashboard with 64 agent sessions", () => {
  let swarm: TestSwarm;
  let term: TestTerminal;

  beforeAll(async () => {
    swarm = await startTestSwarm(YAML);
    term = TestTerminal.start({ width: 160, height: 48 });
    term.run(term.dashboardCommand(swarm.home));
  }, 90_000);

  afterAll(async () => {
    term?.close();
    await swarm?.destroy();
  });

  it("lists all 64, moves the selection at once, and costs little while idle", async () => {
    await term.waitFor(/64 sessions \(64 idle\)/, { timeoutMs: 20_000 });
    let started = Date.now();
    term.keys("G");
    await term.waitFor(/pane · qa-4 \(%\d+\)/, { timeoutMs: 2000 });
    const bottom = Date.now() - started;
    started = Date.now();
    term.tmux(["send-keys", "-t", term.session, ...Array<string>(63).fill("k")]);
    await term.waitFor(/pane · api-1 \(%\d+\)/, { timeoutMs: 3000 });
    const sixtyThreeKeys = Date.now() - started;

    const pid = term.foregroundPid()!;
    const before = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 4000));
    const idleShare = (cpuSeconds(pid) - before) / 4;
    console.log(`64 sessions: G in ${bottom} ms, 63 × k in ${sixtyThreeKeys} ms, idle CPU ${(idleShare * 100).toFixed(1)}% of a core`);
    // Generous bounds: the machine may be busy with other tests; the measured figures are printed above.
    expect(idleShare).toBeLessThan(0.25);
  });

  it("keeps up with a burst of 128 tasks and stays responsive", async () => {
    const client = await swarm.connect();
    const tasks = await Promise.all(Array.from({ length: 128 }, (_, i) => client.submit({ task: `echo burst-${i}`, agent: NAMES[i % NAMES.length] })));
    term.keys("j");
    await term.waitFor(/pane · api-2 \(%\d+\)/, { timeoutMs: 2000, what: "the selection to move during the burst" });
    await Promise.all(tasks.map((task) => task.result()));
    const screen = await term.waitFor(/60m 128 done/, { timeoutMs: 15_000, what: "128 tasks in the throughput chart" });
    expect(screen).toMatch(/task\.completed/);
    await term.waitFor(/64 sessions \(64 idle\)/, { timeoutMs: 5000, what: "every session idle again" });
  });
});

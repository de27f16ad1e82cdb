import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { destroyUnlessKept, lines, terminalEvents, until } from "./support.js";

const MAX_DISPATCHES = 3;
// Crash-loop detection set out of the way: this is about the task, not the session.
const TUNING = JSON.stringify({ maxDispatches: MAX_DISPATCHES, crashLimit: 20 });

/**
 * Tasks that kill whatever runs them. Killing only the pane's shell
 * (`kill -9 $PPID` from the task's `bash -c`) fails the job as an
 * infrastructure error, which BullMQ retries a bounded number of times.
 * Killing the daemon as well (what pm2 would restart) is the loop that used
 * to have no end but BullMQ's 20 stalls, after which BullMQ drops the job
 * silently: each restart finds the run lost with its pane and dispatches it
 * again. Both must end `failed`, saying why, recorded once, and the agent
 * must go on taking work.
 */
describe("a task that kills whatever runs it", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  beforeAll(async () => {
    swarm = await startTestSwarm("agents:\n  - name: alpha\n    runtime: shell\n    replicas: 1\n    timeout: 60\n", { env: { CLAUDE_AGENT_TUNING: TUNING } });
    client = await swarm.connect();
  });
  afterAll(async () => {
    await destroyUnlessKept(swarm);
  });

  const stillWorks = async () => {
    const next = await client.submit({ task: "echo still-here", agent: "alpha" });
    expect(await next.result({ signal: AbortSignal.timeout(30_000) })).toMatchObject({ status: "completed", output: "still-here\n" });
  };

  it("fails after its retries when it kills its own pane each time, and the agent takes the next task", async () => {
    const runs = join(swarm.home, "pane-killer-runs");
    const killer = await client.submit({ task: `echo run >> ${runs}; kill -9 $PPID; sleep 5`, agent: "alpha" });
    const result = await killer.result({ signal: AbortSignal.timeout(60_000) });
    expect(result.status).toBe("failed");
    expect(result.reason).toMatch(/^infrastructure failure after 3 attempts: .*alpha-1/);
    expect(lines(runs)).toHaveLength(3);
    expect(await terminalEvents(client, killer.id)).toHaveLength(1);
    await stillWorks();
  });

  it(`fails after ${MAX_DISPATCHES} lost runs when it kills the daemon and its pane each time, instead of looping through restarts`, async () => {
    const runs = join(swarm.home, "daemon-killer-runs");
    const task = `echo run >> ${runs}; kill -9 $(cat ${swarm.paths.daemonPid}); kill -9 $PPID; sleep 5`;
    const killer = await client.submit({ task, agent: "alpha" });
    // Play pm2: start the daemon again each time the task has killed it, until the task is over.
    for (let restarts = 0; ; restarts++) {
      expect(restarts, "restarts before the task ended").toBeLessThan(MAX_DISPATCHES + 3);
      const ended = await until(
        "the task to end or kill the daemon",
        async () => {
          if (["failed", "completed"].includes((await client.result(killer.id)).status)) return "ended";
          return swarm.daemon?.exitCode !== null || swarm.daemon?.signalCode ? "killed" : null;
        },
        30_000,
      );
      if (ended === "ended") break;
      // The restarted daemon may dispatch the task, and be killed by it, before start() has seen it ready.
      await swarm.start().catch((error: Error) => {
        if (swarm.daemon?.exitCode === null && !swarm.daemon?.signalCode) throw error;
      });
    }
    const result = await client.result(killer.id);
    expect(result).toMatchObject({ status: "failed", attempts: MAX_DISPATCHES });
    expect(result.reason).toMatch(new RegExp(`^its run was lost ${MAX_DISPATCHES} times .* the task itself may be what kills them$`));
    expect(lines(runs)).toHaveLength(MAX_DISPATCHES);
    expect(await terminalEvents(client, killer.id)).toHaveLength(1);
    expect(readFileSync(join(swarm.paths.logsDir, "swarm.jsonl"), "utf8")).toContain(`"event":"job.dispatch-limit","taskId":"${killer.id}"`);
    await stillWorks();
  });
});

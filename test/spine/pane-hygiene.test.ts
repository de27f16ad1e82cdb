/**
 * A person may attach to an agent's pane and type there. What they leave
 * behind must not change the next task: each task starts in the agent's cwd
 * with the agent's environment and umask, and text half-typed at the prompt
 * (or an answer tmux typed for a terminal query) is cleared before the
 * dispatch's line, never run with it. Real swarm, real tmux.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, tempHome, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";

describe("a pane a person typed in", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let work: string;

  /** Types into the agent's pane as an attached person would: the text, then Enter unless `enter` is false. */
  const typeAsPerson = (text: string, enter = true) =>
    execFileSync("tmux", [
      "-S",
      swarm.paths.tmuxSocket,
      "send-keys",
      "-t",
      "=solo-1:",
      "-l",
      "--",
      text,
      ...(enter ? [";", "send-keys", "-t", "=solo-1:", "Enter"] : []),
    ]);
  const screen = () => execFileSync("tmux", ["-S", swarm.paths.tmuxSocket, "capture-pane", "-p", "-t", "=solo-1:"], { encoding: "utf8" });
  const run = async (task: string) => (await client.submit({ task, agent: "solo" })).result();

  beforeAll(async () => {
    const home = tempHome();
    work = join(home, "work");
    mkdirSync(work);
    swarm = await startTestSwarm(`agents:\n  - { name: solo, runtime: shell, replicas: 1, timeout: 20, cwd: work, env: { AGENT_VAR: from-config } }\n`, {
      home,
    });
    client = await swarm.connect();
  });

  afterAll(async () => {
    await swarm?.destroy();
  });

  it("starts each task in the agent's cwd, with its environment and umask, whatever the person changed in the shell", async () => {
    expect((await run("pwd; echo ${AGENT_VAR-unset} ${LEAK-unset}; umask")).output).toBe(`${realpathSync(work)}\nfrom-config unset\n0022\n`);
    typeAsPerson("cd /tmp && export LEAK=typed AGENT_VAR=changed && umask 077 && echo person-was-here");
    await waitFor("the person's command to run", () => screen().includes("person-was-here"));
    const after = await run("pwd; echo ${AGENT_VAR-unset} ${LEAK-unset}; umask");
    expect(after).toMatchObject({ status: "completed", output: `${realpathSync(work)}\nfrom-config unset\n0022\n` });
  });

  it("clears text half-typed at the prompt before typing the dispatch: it is neither run nor glued to the task", async () => {
    const marker = join(work, "half-typed-ran");
    typeAsPerson(`touch ${marker}`, false);
    await waitFor("the half-typed text on the prompt", () => screen().includes(`touch ${marker}`));
    // Dispatched once: glued to the half-typed text, the dispatch's line would not start and be withdrawn and retried.
    expect(await run("echo clean")).toMatchObject({ status: "completed", output: "clean\n", attempts: 1 });
    expect(existsSync(marker)).toBe(false);
  });

  it("clears tmux's answer to a task's cursor-position query before the next dispatch", async () => {
    // ESC [ 6 n asks the terminal where the cursor is; tmux types the answer (ESC [ row ; col R) into the pane.
    // Readline takes the answer as keys and leaves `1R` (or so) on the prompt, in front of the next line typed.
    expect(await run("printf '\\033[6n'")).toMatchObject({ status: "completed" });
    expect(await run("echo after-query")).toMatchObject({ status: "completed", output: "after-query\n", attempts: 1 });
  });
});

/** What `up` refuses before it starts anything, through the built CLI. */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { homePaths } from "../../core/index.js";
import { runCli, tempHome } from "../helpers/swarm.js";
import { STACK_LINE } from "../fixtures/spine/support.js";

describe("up with a swarm.yaml whose folders are wrong", () => {
  const homes: string[] = [];
  afterEach(() => {
    for (const home of homes.splice(0)) {
      runCli(["down"], { home });
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("refuses an agent whose cwd does not exist, naming every such agent, and starts nothing", () => {
    const home = tempHome();
    homes.push(home);
    mkdirSync(join(home, "here"));
    const file = join(home, "swarm.yaml");
    writeFileSync(
      file,
      "agents:\n  - { name: fine, runtime: shell, cwd: here }\n  - { name: lost, runtime: shell, cwd: gone }\n  - { name: odd, runtime: shell, cwd: swarm.yaml }\n",
    );
    const result = runCli(["up", "--detach", "--config", file], { home, cwd: home });
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toContain(`swarm.yaml: agents.1.cwd: ${join(home, "gone")} is not a folder (agent lost)`);
    expect(result.stderr).toContain(`swarm.yaml: agents.2.cwd: ${file} is not a folder (agent odd)`);
    expect(result.stderr).not.toContain("agent fine");
    expect(result.stderr).toMatch(/hint: Create the folder/);
    expect(result.stderr).not.toMatch(STACK_LINE);
    const paths = homePaths(home);
    expect(existsSync(paths.tmuxSocket)).toBe(false);
    expect(existsSync(paths.redisSocket)).toBe(false);
  });
});

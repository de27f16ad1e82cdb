/** Helpers for the LLM tests: an async CLI run (the scripted model server lives in this process), git, pane captures. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CliResult, runCliAsync } from "../helpers/cli.js";
import type { TestSwarm } from "../helpers/swarm.js";

/** The built CLI, without blocking this process: a synchronous run would starve the model server living here. */
export function cli(swarm: TestSwarm, args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = swarm.home): Promise<CliResult> {
  return runCliAsync(args, { home: swarm.home, env, cwd });
}

/** A fresh git repository with one commit, in a temp folder. */
export function gitRepo(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  git(dir, "init", "-q", "-b", "main");
  git(dir, "config", "user.name", "Test");
  git(dir, "config", "user.email", "test@example.com");
  writeFileSync(join(dir, "README.md"), "# project\n");
  git(dir, "add", "README.md");
  git(dir, "commit", "-q", "-m", "Initial commit");
  return dir;
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" });
}

/** Everything a session's pane shows, its history included, as a person attached would have seen it. */
export function capturePane(swarm: TestSwarm, session: string): string {
  return execFileSync("tmux", ["-S", swarm.paths.tmuxSocket, "capture-pane", "-p", "-J", "-S", "-", "-t", session], { encoding: "utf8" });
}

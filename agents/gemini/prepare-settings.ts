#!/usr/bin/env node
/**
 * `node prepare-settings.js <GEMINI_CLI_HOME> [<policy hook file>]`: adds our
 * defaults to `<home>/.gemini/settings.json` (settings.ts), in the pane's
 * environment, just before gemini starts. The file is rewritten only when
 * something changed, atomically. A failure with the defaults is reported and
 * does not stop the task.
 *
 * With a policy hook file (policy-hook.ts), the hook must be in place before
 * gemini starts: it is put back into the user settings, and anything that
 * keeps it out (user settings that are not plain JSON, a project's settings
 * that turn hooks off) is reported and exits 3, so the script does not start
 * gemini.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isObject, type JsonObject } from "../events.js";
import { projectDisablesHooks, withPolicyHook } from "./policy-hook.js";
import { withOurSettings } from "./settings.js";

const [home, policyFile] = process.argv.slice(2);
try {
  if (!home) throw new Error("usage: prepare-settings.js <GEMINI_CLI_HOME> [<policy hook file>]");
  const dir = join(home, ".gemini");
  const file = join(dir, "settings.json");
  let current: JsonObject | null = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    current = isObject(parsed) ? parsed : null;
  } catch (error) {
    // Missing: written anew. Not plain JSON (gemini allows comments): left as it is.
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") current = null;
  }
  if (policyFile) {
    if (current === null) throw new Error(`${file} is not plain JSON, so the policy hook cannot be added to it`);
    current = withPolicyHook(current, JSON.parse(readFileSync(policyFile, "utf8")));
    const project = join(process.cwd(), ".gemini", "settings.json");
    if (existsSync(project) && projectDisablesHooks(readFileSync(project, "utf8")))
      throw new Error(`${project} turns hooks off (hooksConfig.enabled), so the policy hook would not run`);
    write(dir, file, withOurSettings(current, process.env), null);
  } else if (current) {
    write(dir, file, withOurSettings(current, process.env), current);
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (policyFile) {
    process.stderr.write(`claude-agent: gemini not started: this agent's policy cannot be put in place: ${message}\n`);
    process.exit(3);
  }
  process.stderr.write(`claude-agent: could not prepare gemini's settings: ${message}\n`);
}

/** Writes `next` unless it equals `before` (null: always). */
function write(dir: string, file: string, next: JsonObject, before: JsonObject | null): void {
  if (before !== null && JSON.stringify(next) === JSON.stringify(before)) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

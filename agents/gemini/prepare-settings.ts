#!/usr/bin/env node
/**
 * `node prepare-settings.js <GEMINI_CLI_HOME>`: adds our defaults to
 * `<home>/.gemini/settings.json` (settings.ts), in the pane's environment,
 * just before gemini starts. The file is rewritten only when something was
 * missing, atomically. A failure here is reported and does not stop the task.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isObject, type JsonObject } from "../events.js";
import { withOurSettings } from "./settings.js";

const home = process.argv[2];
try {
  if (!home) throw new Error("usage: prepare-settings.js <GEMINI_CLI_HOME>");
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
  if (current) {
    const next = withOurSettings(current, process.env);
    if (JSON.stringify(next) !== JSON.stringify(current)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, file);
    }
  }
} catch (error) {
  process.stderr.write(`claude-agent: could not prepare gemini's settings: ${error instanceof Error ? error.message : String(error)}\n`);
}

#!/usr/bin/env node
/**
 * `node program.js --cwd DIR --conversations DIR --base-url URL --model M …
 * < prompt`: the built-in LangChain agent, run once per task by the pane
 * script (adapter.ts). It writes JSON-lines events on stdout (events.ts) and
 * exits 0 when the task is done, 1 when it failed, 2 on a bad command line.
 * The `start` event goes out before LangChain loads, so a watcher sees the
 * task begin at once.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { LangchainEvent } from "./events.js";
import { parseProgramArgs, type ProgramOptions } from "./options.js";

const startedAt = Date.now();
const emit = (event: LangchainEvent): void => void process.stdout.write(`${JSON.stringify(event)}\n`);
process.stdout.on("error", () => undefined); // the reader went away: the events file (tee) still gets everything

let options: ProgramOptions;
try {
  options = parseProgramArgs(process.argv.slice(2));
} catch (error) {
  emit({
    type: "result",
    is_error: true,
    session_id: "",
    answer: "",
    turns: 0,
    input_tokens: 0,
    output_tokens: 0,
    tool_calls: [],
    duration_ms: 0,
    error: String((error as Error).message ?? error),
  });
  process.exit(2);
}

const prompt = readFileSync(0, "utf8");
const sessionId = options.resume ?? randomUUID();
emit({ type: "start", session_id: sessionId, model: options.model, cwd: options.cwd, resumed: options.resume !== null });

// Ctrl-C from the bridge (cancel, time limit): stop the loop, save the conversation, report, exit.
const interrupt = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    interrupt.abort();
    setTimeout(() => process.exit(130), 2000).unref();
  });
}

const { runTask } = await import("./run.js");
process.exitCode = await runTask({ options, prompt, sessionId, emit, startedAt, signal: interrupt.signal });

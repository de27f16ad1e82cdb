#!/usr/bin/env node
/**
 * `node render-stream.js <runtime>`: reads an agent program's event stream
 * on stdin and writes it as readable text, for the person watching the pane
 * (the events file keeps the stream itself). It must never stop reading
 * before its input ends: a reader that quits would break the pipe.
 */
import { createInterface } from "node:readline";
import { isRuntimeName, runtimeAdapter } from "./registry.js";

const name = process.argv[2] ?? "";
const render = isRuntimeName(name) ? runtimeAdapter(name).renderEvent : (line: string) => `${line}\n`;

process.stdout.on("error", () => undefined); // the pane went away: keep draining stdin
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  let text: string | null;
  try {
    text = render(line);
  } catch {
    text = `${line}\n`;
  }
  if (text) process.stdout.write(text);
});

import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ClaudeHookEvent } from "../hook-events.js";
import { HookFeed } from "./hook-feed.js";

const line = (event: string, extra: object = {}) => `${JSON.stringify({ event, at: 1, input: { session_id: "s", ...extra } })}\n`;

describe("HookFeed", () => {
  const feeds: HookFeed[] = [];
  afterEach(() => feeds.splice(0).forEach((feed) => feed.close()));

  function open(file: string): ClaudeHookEvent[] {
    const seen: ClaudeHookEvent[] = [];
    const feed = new HookFeed(file, (event) => seen.push(event));
    feeds.push(feed);
    feed.open();
    return seen;
  }
  const until = async (test: () => boolean) => {
    for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 5));
  };

  it("replays what the file holds, then follows what is appended (woken by inotify)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ca-feed-")), "h.jsonl");
    writeFileSync(file, line("SessionStart") + line("UserPromptSubmit", { prompt: "hi" }));
    const seen = open(file);
    expect(seen.map((e) => e.event)).toEqual(["SessionStart", "UserPromptSubmit"]);
    appendFileSync(file, line("Stop", { last_assistant_message: "bye" }));
    await until(() => seen.length === 3);
    expect(seen[2]).toMatchObject({ event: "Stop", lastMessage: "bye" });
  });

  it("waits for the newline of a line still being written, even one cut inside a character", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ca-feed-")), "h.jsonl");
    const seen = open(file);
    const whole = Buffer.from(line("Stop", { last_assistant_message: "ça marche ✓" }));
    const cut = whole.indexOf(Buffer.from("✓")) + 1;
    appendFileSync(file, whole.subarray(0, cut));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(0);
    appendFileSync(file, whole.subarray(cut));
    await until(() => seen.length === 1);
    expect(seen[0]?.lastMessage).toBe("ça marche ✓");
  });

  it("starts over when the file is emptied for a new program", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ca-feed-")), "h.jsonl");
    writeFileSync(file, line("SessionStart") + line("Stop"));
    const seen = open(file);
    HookFeed.reset(file);
    appendFileSync(file, line("SessionStart", { source: "resume" }));
    await until(() => seen.length === 3);
    expect(seen.at(-1)).toMatchObject({ event: "SessionStart", source: "resume" });
  });

  it("cuts a file grown past its limit back to its last event, then goes on following it", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ca-feed-")), "h.jsonl");
    const big = "x".repeat(2000);
    writeFileSync(file, line("SessionStart") + line("UserPromptSubmit", { prompt: big }) + line("Stop", { last_assistant_message: "done" }));
    const seen: ClaudeHookEvent[] = [];
    const feed = new HookFeed(file, (event) => seen.push(event));
    feeds.push(feed);
    feed.open();
    expect(feed.compact(1_000_000)).toBe(false); // under the limit: left alone
    expect(feed.compact(1000)).toBe(true);
    expect(readFileSync(file, "utf8")).toBe(line("Stop", { last_assistant_message: "done" }));
    appendFileSync(file, line("UserPromptSubmit", { prompt: "next" }));
    await until(() => seen.length === 4);
    expect(seen.map((e) => e.event)).toEqual(["SessionStart", "UserPromptSubmit", "Stop", "UserPromptSubmit"]);
    expect(seen[3]?.prompt).toBe("next");
    expect(feed.history).toHaveLength(4); // what was cut from the file stays in memory
    // A bridge that starts now replays only the kept event and what followed it.
    const replay = open(file);
    expect(replay.map((e) => e.event)).toEqual(["Stop", "UserPromptSubmit"]);
    expect(statSync(file).size).toBeLessThan(1000);
  });
});

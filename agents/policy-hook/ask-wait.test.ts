import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { answersDir, commandDigest, requestsDir } from "./ask-channel.js";
import { askPerson } from "./ask-wait.js";

let channel = "";
afterEach(() => rmSync(channel, { recursive: true, force: true }));

function newChannel(): string {
  channel = mkdtempSync(join(tmpdir(), "ca-ask-channel-"));
  for (const dir of [requestsDir(channel), answersDir(channel)]) mkdirSync(dir, { recursive: true });
  return channel;
}

/** Plays the bridge: waits for the hook's request, then answers it with `answer(command)`. */
async function answerWhenAsked(dir: string, answer: (command: string) => object): Promise<void> {
  for (;;) {
    const name = readdirSync(requestsDir(dir)).find((n) => n.endsWith(".json"));
    if (name) {
      const { command } = JSON.parse(readFileSync(join(requestsDir(dir), name), "utf8")) as { command: string };
      writeFileSync(join(answersDir(dir), name), JSON.stringify(answer(command)));
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the hook's wait for a person", () => {
  it("goes on when the answer approves the very command it asked about, and takes its request back", async () => {
    const dir = newChannel();
    const [outcome] = await Promise.all([
      askPerson(dir, "kubectl --context prod apply"),
      answerWhenAsked(dir, (c) => ({ decision: "approve", by: "cli:ann", digest: commandDigest(c) })),
    ]);
    expect(outcome).toEqual({ approved: true, by: "cli:ann" });
    expect(readdirSync(requestsDir(dir))).toEqual([]);
  });

  it("refuses with who refused and why", async () => {
    const dir = newChannel();
    const [outcome] = await Promise.all([
      askPerson(dir, "kubectl --context prod apply"),
      answerWhenAsked(dir, (c) => ({ decision: "deny", by: "cli:ann", reason: "freeze", digest: commandDigest(c) })),
    ]);
    expect(outcome).toEqual({ approved: false, why: "refused by cli:ann: freeze" });
  });

  it("refuses an approval of another command (a request rewritten before the person saw it)", async () => {
    const dir = newChannel();
    const [outcome] = await Promise.all([
      askPerson(dir, "kubectl --context prod delete deploy api"),
      answerWhenAsked(dir, () => ({ decision: "approve", by: "cli:ann", digest: commandDigest("kubectl --context prod get pods") })),
    ]);
    expect(outcome).toMatchObject({ approved: false, why: expect.stringContaining("another command") });
  });

  it("gives up when nobody answers in time", async () => {
    expect(await askPerson(newChannel(), "kubectl --context prod apply", 300)).toMatchObject({
      approved: false,
      why: expect.stringContaining("nobody answered"),
    });
  });
});

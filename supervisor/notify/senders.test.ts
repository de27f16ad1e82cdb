/**
 * The senders against real receivers: an HTTP server on loopback, a program
 * that writes its stdin to a file, a notify-send on PATH that records its
 * arguments. Deliveries go through `deliver` with short pauses.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { httpReceiver, type HttpReceiver, type ReceivedRequest, type Script } from "../../test/helpers/http-receiver.js";
import type { CommandTarget, DesktopTarget, SwarmEvent, WebhookTarget } from "../../core/index.js";
import { deliver } from "./delivery.js";
import { messageOf, testMessage } from "./message.js";
import type { Sender } from "./sender.js";
import { isUnusable, senderFor } from "./senders.js";

const fast = { attempts: 3, backoffMs: 5, timeoutMs: 2000 };
const never = new AbortController().signal;

const receivers: HttpReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

/** A loopback receiver whose one hook answers with `script`. */
async function receiver(script: Script): Promise<{ url: string; got: { headers: ReceivedRequest["headers"]; body: string }[] }> {
  const server = await httpReceiver({ "/hook/SECRET-PATH": script });
  receivers.push(server);
  return { url: `${server.base}/hook/SECRET-PATH`, got: server.got };
}

function webhook(url: string, extra: Partial<WebhookTarget> = {}): Sender {
  const target: WebhookTarget = { type: "webhook", name: "hook", url, format: "json", headers: {}, events: ["task.failed"], ratePerMinute: 20, ...extra };
  const sender = senderFor(target, { HOOK_TOKEN: "tok-123" });
  if (isUnusable(sender)) throw new Error(sender.problem);
  return sender;
}

const failed: SwarmEvent = { id: "1-0", type: "task.failed", at: "2026-01-01T00:00:00.000Z", taskId: "t-abc", agent: "alpha", status: "failed" };

describe("webhook targets", () => {
  it("POST the message as JSON, with the headers from swarm.yaml and their variables filled in", async () => {
    const hook = await receiver([200]);
    const message = messageOf(failed, "demo", (t) => t, { text: "make test", exitCode: 2, reason: null })!;
    const result = await deliver(webhook(hook.url, { headers: { Authorization: "Bearer ${HOOK_TOKEN}" } }), message, fast, never);
    expect(result).toEqual({ ok: true, attempts: 1 });
    expect(hook.got).toHaveLength(1);
    expect(hook.got[0]?.headers["content-type"]).toBe("application/json");
    expect(hook.got[0]?.headers.authorization).toBe("Bearer tok-123");
    expect(JSON.parse(hook.got[0]!.body)).toEqual({
      event: "task.failed",
      type: "task.failed",
      id: "1-0",
      at: "2026-01-01T00:00:00.000Z",
      swarm: "demo",
      subject: "t-abc",
      title: "claude-agent demo: task failed (alpha)",
      text: "task t-abc failed on alpha with exit 2 · make test",
      fields: { taskId: "t-abc", agent: "alpha", status: "failed" },
      task: { text: "make test", exitCode: 2, reason: null },
    });
  });

  it("in slack format, post only Slack's text, with &, < and > escaped and no control characters", async () => {
    const hook = await receiver([200]);
    const message = messageOf(failed, "demo", (t) => t, { text: "echo <!channel> & \u001b]0;owned\u0007 done", exitCode: 1, reason: null })!;
    await deliver(webhook(hook.url, { format: "slack" }), message, fast, never);
    expect(JSON.parse(hook.got[0]!.body)).toEqual({ text: "task t-abc failed on alpha with exit 1 · echo &lt;!channel&gt; &amp; done" });
  });

  it("try again after a 500, and deliver once the receiver answers 200", async () => {
    const hook = await receiver([500, 200]);
    expect(await deliver(webhook(hook.url), testMessage("demo", "hook"), fast, never)).toEqual({ ok: true, attempts: 2 });
    expect(hook.got).toHaveLength(2);
  });

  it("give up at once on a 404 or a redirect, with a hint, and after the last try on a receiver that keeps failing", async () => {
    const gone = await receiver([404]);
    const moved = await receiver([302]);
    const broken = await receiver([503]);
    const notThere = await deliver(webhook(gone.url), testMessage("demo", "hook"), fast, never);
    expect(notThere).toMatchObject({ ok: false, attempts: 1, error: { message: "answered 404", permanent: true } });
    const redirected = await deliver(webhook(moved.url), testMessage("demo", "hook"), fast, never);
    expect(redirected).toMatchObject({ ok: false, attempts: 1, error: { hint: expect.stringContaining("Redirects are not followed") } });
    expect(await deliver(webhook(broken.url), testMessage("demo", "hook"), fast, never)).toMatchObject({ ok: false, attempts: 3 });
  });

  it("end an attempt that gets no answer at its time limit", async () => {
    const hook = await receiver(["hang"]);
    const result = await deliver(webhook(hook.url), testMessage("demo", "hook"), { attempts: 2, backoffMs: 1, timeoutMs: 200 }, never);
    expect(result).toMatchObject({ ok: false, attempts: 2, error: { message: expect.stringContaining("no answer in time") } });
  });

  it("log only the receiver's origin, never the URL's path (a Slack webhook's secret)", async () => {
    expect(webhook("https://hooks.example.com/services/T0/B0/XYZ").where).toBe("webhook https://hooks.example.com");
  });

  it("are unusable, with the variable named, when a variable they use is not set", () => {
    const target: WebhookTarget = {
      type: "webhook",
      name: "hook",
      url: "${SLACK_URL}",
      format: "slack",
      headers: {},
      events: ["needs-you"],
      ratePerMinute: 20,
    };
    const sender = senderFor(target, {});
    expect(sender).toMatchObject({ problem: "its url names ${SLACK_URL}, not set in this environment", hint: expect.stringContaining("Set SLACK_URL") });
  });
});

describe("command targets", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ca-notify-"));
    // Writes its stdin, its arguments and its environment to files in its folder.
    writeFileSync(join(dir, "record"), '#!/bin/sh\ncat > "$1/stdin.json"\nprintf "%s\\n" "$@" > "$1/argv"\nenv > "$1/env"\n');
    chmodSync(join(dir, "record"), 0o755);
    writeFileSync(join(dir, "fail"), "#!/bin/sh\necho 'pager unreachable' >&2\nexit 3\n");
    chmodSync(join(dir, "fail"), 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const command = (argv: string[], env: Record<string, string> = {}): Sender => {
    const target: CommandTarget = { type: "command", name: "cmd", command: argv, events: ["task.failed"], ratePerMinute: 20 };
    return senderFor(target, { PATH: process.env.PATH, ...env }) as Sender;
  };

  it("get the message as JSON on stdin, and hostile text in it stays data", async () => {
    const marker = join(dir, "pwned");
    const hostile = `$(touch ${marker}); touch ${marker}; \`touch ${marker}\``;
    const message = messageOf({ ...failed, agent: `alpha; touch ${marker}` }, "demo", (t) => t, { text: hostile, exitCode: 1, reason: null })!;
    const result = await deliver(command([join(dir, "record"), dir, "--urgent"]), message, fast, never);
    expect(result).toEqual({ ok: true, attempts: 1 });
    const received = JSON.parse(readFileSync(join(dir, "stdin.json"), "utf8"));
    expect(received.task.text).toBe(hostile);
    expect(received.fields.agent).toBe(`alpha; touch ${marker}`);
    expect(readFileSync(join(dir, "argv"), "utf8")).toBe(`${dir}\n--urgent\n`);
    expect(existsSync(marker)).toBe(false);
  });

  it("run without the swarm's variables or the daemon's secrets in their environment", async () => {
    const env = { CLAUDE_AGENT_HOME: "/h", REDIS_URL: "redis://x", CA_NONCE: "n", DATABASE_URL: "postgres://u:p@h/d", MY_PAGER: "kept" };
    await deliver(command([join(dir, "record"), dir], env), testMessage("demo", "cmd"), fast, never);
    const seen = readFileSync(join(dir, "env"), "utf8");
    expect(seen).toContain("MY_PAGER=kept");
    for (const name of ["CLAUDE_AGENT_HOME", "REDIS_URL", "CA_NONCE", "DATABASE_URL"]) expect(seen).not.toContain(`${name}=`);
  });

  it("fail with the program's stderr when it exits non-zero, and at once when it is not there", async () => {
    const failing = await deliver(command([join(dir, "fail")]), testMessage("demo", "cmd"), fast, never);
    expect(failing).toMatchObject({ ok: false, attempts: 3, error: { message: expect.stringMatching(/exited with 3: pager unreachable$/) } });
    const missing = await deliver(command([join(dir, "no-such-program")]), testMessage("demo", "cmd"), fast, never);
    expect(missing).toMatchObject({ ok: false, attempts: 1, error: { permanent: true, hint: expect.stringContaining("full path") } });
  });
});

describe("desktop targets", () => {
  const target: DesktopTarget = { type: "desktop", name: "me", events: ["needs-you"], ratePerMinute: 20 };

  it("are unusable without a display, or without notify-send, and say so", () => {
    expect(senderFor(target, { PATH: "/nonexistent" })).toMatchObject({ problem: expect.stringContaining("no display") });
    expect(senderFor(target, { PATH: "/nonexistent", DISPLAY: ":0" })).toMatchObject({ problem: "notify-send is not installed" });
  });

  it("run notify-send with the title and text as arguments after --", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ca-notify-"));
    try {
      writeFileSync(join(dir, "notify-send"), `#!/bin/sh\nprintf "%s\\n" "$@" > "${dir}/argv"\n`);
      chmodSync(join(dir, "notify-send"), 0o755);
      const sender = senderFor(target, { PATH: `${dir}:${process.env.PATH}`, WAYLAND_DISPLAY: "wayland-0" }) as Sender;
      const message = messageOf({ ...failed, agent: "-rf" }, "demo", (t) => t, null)!;
      expect(await deliver(sender, message, fast, never)).toEqual({ ok: true, attempts: 1 });
      expect(readFileSync(join(dir, "argv"), "utf8")).toBe("--app-name=claude-agent\n--\nclaude-agent demo: task failed (-rf)\ntask t-abc failed on -rf\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

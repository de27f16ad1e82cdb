/**
 * `claude-agent notify test` through the built CLI, without a daemon: each
 * target gets a test message now; the exit code says whether all arrived (0),
 * one did not (1), or there was nothing to test (2).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliAsync } from "../helpers/cli.js";
import { httpReceiver, type HttpReceiver } from "../helpers/http-receiver.js";
import { tempHome } from "../helpers/swarm.js";

describe("claude-agent notify test", () => {
  let home: string;
  let receiver: HttpReceiver;

  beforeAll(async () => {
    home = tempHome();
    receiver = await httpReceiver({ "/gone": [404] });
  });
  afterAll(async () => {
    await receiver?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const withConfig = (notify: string) => {
    const dir = mkdtempSync(join(home, "cfg-"));
    writeFileSync(join(dir, "swarm.yaml"), `swarm: tested\nagents:\n  - { name: alpha, runtime: shell }\n${notify}`);
    return dir;
  };
  const notifyTest = (cwd: string, ...args: string[]) => runCliAsync(["notify", "test", ...args], { home, cwd, env: { HOOK_TOKEN: "tok-9" } });

  it("sends a test message to each target and exits 0 when every one arrived", async () => {
    const cwd = withConfig(
      `notify:\n  - { type: webhook, name: ops, url: "${receiver.base}/ops", headers: { X-Token: "\${HOOK_TOKEN}" }, events: [all] }\n  - { type: webhook, url: "${receiver.base}/chat", format: slack, events: [needs-you] }\n`,
    );
    const result = await notifyTest(cwd);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`ok    ops (webhook ${receiver.base}): delivered\nok    webhook-2 (webhook ${receiver.base}): delivered\n`);
    const ops = JSON.parse(receiver.to("/ops")[0]!.body);
    expect(ops).toMatchObject({
      event: "test",
      type: "notify.test",
      swarm: "tested",
      subject: "ops",
      text: "test notification from swarm tested to target ops: it works",
    });
    expect(receiver.to("/ops")[0]?.headers["x-token"]).toBe("tok-9");
    expect(JSON.parse(receiver.to("/chat")[0]!.body)).toEqual({ text: "test notification from swarm tested to target webhook-2: it works" });
  });

  it("exits 1 naming the failed target with a hint, and --json says the same", async () => {
    const cwd = withConfig(
      `notify:\n  - { type: webhook, name: ok, url: "${receiver.base}/fine", events: [all] }\n  - { type: webhook, name: gone, url: "${receiver.base}/gone", events: [all] }\n  - { type: desktop, name: screen, events: [all] }\n`,
    );
    const text = await runCliAsync(["notify", "test"], { home, cwd, env: { DISPLAY: "", WAYLAND_DISPLAY: "" } });
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain("ok    ok (webhook");
    expect(text.stdout).toContain(`FAIL  gone (webhook ${receiver.base}): answered 404\n      hint: No webhook at that URL: check \`url\` in swarm.yaml.\n`);
    expect(text.stdout).toContain("FAIL  screen: no display here (DISPLAY and WAYLAND_DISPLAY are not set)\n      hint: Desktop notifications need");
    const json = await runCliAsync(["notify", "test", "--target", "gone", "--json"], { home, cwd });
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      targets: [{ name: "gone", type: "webhook", where: `webhook ${receiver.base}`, ok: false, attempts: 1, error: "answered 404", hint: expect.any(String) }],
    });
  });

  it("exits 2 for an unknown target or when swarm.yaml has no notify:", async () => {
    const cwd = withConfig(`notify:\n  - { type: webhook, name: ops, url: "${receiver.base}/ops", events: [all] }\n`);
    const unknown = await notifyTest(cwd, "--target", "nope");
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toBe(`error: no notification target "nope"\nhint: Targets in ${join(cwd, "swarm.yaml")}: ops.\n`);
    const none = await notifyTest(withConfig(""));
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain("error: no notification targets in");
    expect(none.stderr).toContain("hint: Add a `notify:` list to swarm.yaml");
  });

  it("exits 2 listing every problem of an invalid notify: section", async () => {
    const cwd = withConfig("notify:\n  - { type: webhook, url: ftp://x, events: [all] }\n  - { type: command, command: 'page-me now', events: [all] }\n");
    const result = await notifyTest(cwd);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("swarm.yaml: notify.0.url: expected an http(s) URL");
    expect(result.stderr).toContain("swarm.yaml: notify.1.command: expected the program and its arguments as a list");
  });
});

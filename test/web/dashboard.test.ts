/**
 * The web dashboard in a real headless Chromium against a real swarm: login
 * with a one-time code, every agent live, a task submitted from the form
 * reaching completed, an agent's live terminal, and swarm text shown as text.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_SETUP_MS, launchBrowser, loginCode, screenshotPath, startWebSwarm, type WebSwarm } from "./support.js";

describe("the web dashboard in Chromium", () => {
  let web: WebSwarm;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const submit = async (task: string, agent: string): Promise<string> => {
    const response = await fetch(`${web.url}/v1/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${web.token}`, "content-type": "application/json" },
      body: JSON.stringify({ task, agent }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  const waitTask = async (id: string) => {
    const response = await fetch(`${web.url}/v1/tasks/${id}?wait=30`, { headers: { authorization: `Bearer ${web.token}` } });
    return (await response.json()) as { status: string; output: string };
  };

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebSwarm(), launchBrowser()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    await page.goto(`${web.url}/#code=${loginCode(web.swarm)}`);
    await page.waitForSelector("[data-live=live]");
  }, BROWSER_SETUP_MS);
  afterAll(async () => {
    await browser?.close();
    await web?.swarm.destroy();
  });

  it("logs in with a one-time login code, and refuses the same code a second time", async () => {
    const code = loginCode(web.swarm);
    const first = await browser.newContext();
    const tab = await first.newPage();
    await tab.goto(`${web.url}/`);
    await tab.screenshot({ path: screenshotPath("web-login.png") });
    await tab.fill("#code", code);
    await tab.click("button[type=submit]");
    await tab.waitForSelector("[data-live=live]");
    expect(await tab.textContent("header")).toContain("read, submit, control, terminal");
    await first.close();

    const other = await browser.newContext();
    const second = await other.newPage();
    await second.goto(`${web.url}/`);
    await second.fill("#code", code);
    await second.click("button[type=submit]");
    expect(await (await second.waitForSelector("[role=alert]")).textContent()).toContain("unknown, expired or already used");
    expect(await second.$("[data-live]")).toBeNull();
    await other.close();
  });

  it("logs in from a code in the address's fragment and takes the code out of the address", async () => {
    const other = await browser.newContext();
    const tab = await other.newPage();
    await tab.goto(`${web.url}/#code=${loginCode(web.swarm)}`);
    await tab.waitForSelector("[data-live=live]");
    expect(tab.url()).not.toContain("code=");
    await other.close();
  });

  it("ends the session on Log out: the old cookie no longer opens anything", async () => {
    const other = await browser.newContext();
    const tab = await other.newPage();
    await tab.goto(`${web.url}/#code=${loginCode(web.swarm)}`);
    await tab.waitForSelector("[data-live=live]");
    const [cookie] = await other.cookies(web.url);
    await tab.click("header button");
    await tab.waitForSelector("#code");
    const status = await fetch(`${web.url}/v1/status`, { headers: { cookie: `${cookie!.name}=${cookie!.value}` } });
    expect(status.status).toBe(401);
    await other.close();
  });

  it("shows every session of the swarm with its state, and follows a task live", async () => {
    await page.goto(`${web.url}/#/agents`);
    await page.waitForSelector("tr[data-session=beta-1]");
    const rows = await page.$$eval("tr[data-session]", (trs) => trs.map((tr) => (tr as HTMLElement).dataset.session));
    expect(rows.sort()).toEqual(["alpha-1", "alpha-2", "beta-1"]);
    expect(await page.textContent("tr[data-session=alpha-1] .state")).toBe("idle");

    const id = await submit("sleep 2; echo slept", "beta");
    await page.waitForFunction((task) => document.querySelector("tr[data-session=beta-1]")?.textContent?.includes(task), id);
    expect(await page.textContent("tr[data-session=beta-1] .state")).toBe("working");
    await page.screenshot({ path: screenshotPath("web-agents.png") });
    await page.waitForFunction(() => document.querySelector("tr[data-session=beta-1] .state")?.textContent === "idle", undefined, { timeout: 20_000 });
  });

  it("submits a task from the form and shows it go to completed", async () => {
    await page.goto(`${web.url}/#/tasks`);
    const marker = `from-the-form-${Date.now()}`;
    await page.fill("#task-text", `echo ${marker}`);
    await page.selectOption("select[name=agent]", "alpha");
    await page.click("form.submit button[type=submit]");
    await page.waitForSelector("[data-task-detail]");
    const id = await page.getAttribute("[data-task-detail]", "data-task-detail");
    expect(id).toBeTruthy();
    await page.waitForSelector("[data-task-detail] [data-status=completed]", { timeout: 30_000 });
    expect(await page.textContent("[data-task-detail] pre.output")).toContain(marker);
    await page.waitForSelector(`tr[data-task="${id}"] .status-completed`);
    await page.screenshot({ path: screenshotPath("web-tasks.png") });
  });

  it("can be driven from the keyboard: Tab reaches a view's link with a visible focus ring, Enter opens the view", async () => {
    await page.goto(`${web.url}/#/agents`);
    await page.waitForSelector("tr[data-session]");
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? "");
    for (let i = 0; i < 10 && (await focused()) !== "Tasks"; i++) await page.keyboard.press("Tab");
    expect(await focused()).toBe("Tasks");
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe("solid");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#task-text");
  });

  it("cancels a running task from the list", async () => {
    const id = await submit("sleep 30", "alpha");
    await page.goto(`${web.url}/#/tasks`);
    const cancel = await page.waitForSelector(`tr[data-task="${id}"] button`);
    await page.waitForSelector(`tr[data-task="${id}"] .status-running`);
    await cancel.click();
    await page.waitForSelector(`tr[data-task="${id}"] .status-cancelled`, { timeout: 20_000 });
    expect((await waitTask(id)).status).toBe("cancelled");
    expect(await page.$(`tr[data-task="${id}"] button`)).toBeNull();
  });

  it("shows an agent's live terminal with a task's output, and the viewer never changes the agent's window size", async () => {
    const size = () =>
      execFileSync("tmux", ["-S", web.swarm.paths.tmuxSocket, "display-message", "-p", "-t", "=beta-1:", "#{window_width}x#{window_height}"], {
        encoding: "utf8",
      }).trim();
    const before = size();
    await page.setViewportSize({ width: 640, height: 400 });
    await page.goto(`${web.url}/#/terminal/beta-1`);
    await page.waitForSelector("[data-terminal-state=live]");
    const marker = `in-the-terminal-${Date.now()}`;
    await waitTask(await submit(`echo ${marker}`, "beta"));
    await page.waitForFunction((text) => document.querySelector(".xterm-rows")?.textContent?.includes(text), marker, { timeout: 20_000 });
    expect(size()).toBe(before);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: screenshotPath("web-terminal.png") });
    expect(size()).toBe(before);
  });

  it("replays a finished task's pane from its recording, its output filtered: a title-setting sequence never reaches the page", async () => {
    // The task pauses 3 s: played at 16×, the replay still ends, and the pause is on the recording's clock.
    const id = await submit("echo replay-$((6*7)); sleep 3; printf '\\033]0;pwned-title\\007'; echo replay-done-$((2*3))", "beta");
    expect((await waitTask(id)).status).toBe("completed");
    await page.goto(`${web.url}/#/tasks/${id}`);
    await page.click(`[data-replay-link="${id}"]`);
    await page.waitForSelector(`[data-replay="${id}"]`);
    await page.click("[data-speed='16']");
    await page.waitForSelector("[data-replay-state=ended]", { timeout: 30_000 });
    const shown = await page.textContent(".xterm-rows");
    expect(shown).toContain("replay-42");
    expect(shown).toContain("replay-done-6");
    expect(await page.title()).not.toContain("pwned");
    // The recording over the API: the same events, the OSC title sequence cut out of the output.
    const response = await fetch(`${web.url}/v1/tasks/${id}/recording`, { headers: { authorization: `Bearer ${web.token}` } });
    expect(response.status).toBe(200);
    const recording = (await response.json()) as { header: { width: number }; events: [number, string, string][] };
    expect(recording.header.width).toBeGreaterThan(0);
    const output = recording.events
      .filter(([, code]) => code === "o")
      .map(([, , data]) => data)
      .join("");
    expect(output).toContain("replay-done-6");
    // The pane did get the sequence (the recording on disk has it); what the API hands a browser does not.
    expect(readFileSync(join(web.swarm.paths.outputDir, `${id}.cast`), "utf8")).toContain("\\u001b]0;pwned-title\\u0007");
    expect(output).not.toContain("\x1b]0;");
    const missing = await fetch(`${web.url}/v1/tasks/no-such-task/recording`, { headers: { authorization: `Bearer ${web.token}` } });
    expect(missing.status).toBe(404);
  });

  it("shows task text and output holding HTML and escape sequences as text, and runs none of it", async () => {
    const payload = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
    const id = await submit(`printf '%s\\033[31m red \\033]0;title\\007 done\\n' '${payload}'`, "beta");
    const result = await waitTask(id);
    expect(result.status).toBe("completed");
    expect(result.output).toContain(payload);
    await page.goto(`${web.url}/#/tasks/${id}`);
    await page.waitForSelector("[data-task-detail] [data-status=completed]");
    expect(await page.textContent("[data-task-detail] pre.output")).toContain(payload);
    expect(await page.textContent("[data-task-detail] pre.task-text")).toContain(payload);
    expect(await page.textContent(`tr[data-task="${id}"] td.text`)).toContain("<img src=x");
    expect(await page.$$eval("main img, main script", (found) => found.length)).toBe(0);
    await page.waitForTimeout(300); // an image error handler would have fired by now
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it("lists a workflow's approval under Needs you with a count in the title, and approving it there lets the workflow finish", async () => {
    const question = `Ship it? <b onmouseover="window.__pwned=3">bold</b>`;
    const workflow = {
      name: "ship",
      steps: [
        { id: "gate", approval: question },
        { id: "after", agent: "beta", depends_on: "gate", task: "echo shipped" },
      ],
    };
    const started = await fetch(`${web.url}/v1/workflows/runs`, {
      method: "POST",
      headers: { authorization: `Bearer ${web.token}`, "content-type": "application/json" },
      body: JSON.stringify({ document: workflow }),
    });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };
    await page.goto(`${web.url}/#/inbox`);
    const item = await page.waitForSelector("[data-item]");
    expect(await item.textContent()).toContain(question);
    expect(await page.$$eval("[data-item] b", (found) => found.length)).toBe(0);
    await page.waitForFunction(() => document.title === "(1) claude-agent");
    await page.screenshot({ path: screenshotPath("web-inbox.png") });
    await page.click("[data-item] button.approve");
    await page.waitForSelector("[data-item]", { state: "detached" });
    await page.waitForFunction(() => document.title === "claude-agent");
    const run = (await (await fetch(`${web.url}/v1/workflows/runs/${id}?wait=30`, { headers: { authorization: `Bearer ${web.token}` } })).json()) as {
      status: string;
      steps: Record<string, { output?: string }>;
    };
    expect(run.status).toBe("completed");
    expect(run.steps.after?.output).toBe("shipped\n");
  });

  it("lists a failed task under Needs you with its output, and Retry there runs it again once", async () => {
    // Fails the first time (leaving a mark in the agent's folder), succeeds when run again.
    const mark = `retry-mark-${process.pid}`;
    const failed = await submit(`if [ -e ${mark} ]; then rm ${mark}; echo second-run; else touch ${mark}; echo first-run; exit 3; fi`, "beta");
    expect(await waitTask(failed)).toMatchObject({ status: "failed" });
    await page.goto(`${web.url}/#/inbox`);
    const item = await page.waitForSelector("[data-item]");
    expect(await item.textContent()).toContain(failed);
    expect(await item.textContent()).toContain("first-run");
    await page.waitForFunction(() => document.title === "(1) claude-agent");
    expect(await page.textContent("[data-item] button.approve")).toBe("Retry");
    expect(await page.textContent("[data-item] button.deny")).toBe("Dismiss");
    await page.click("[data-item] button.approve");
    await page.waitForSelector("[data-item]", { state: "detached" });
    await page.waitForFunction(() => document.title === "claude-agent");
    // The retry's own idempotency key: asking again names the task the button started, and runs nothing more.
    const again = await fetch(`${web.url}/v1/tasks/${failed}/retry`, { method: "POST", headers: { authorization: `Bearer ${web.token}` } });
    expect(again.status).toBe(200);
    const retried = (await again.json()) as { id: string };
    expect(retried.id).not.toBe(failed);
    expect(await waitTask(retried.id)).toMatchObject({ status: "completed", output: "second-run\n" });
  });
});

/**
 * The page across a daemon restart: the event stream reconnects by itself
 * with `Last-Event-ID`, and the events of the outage (a task submitted while
 * the daemon was down, then run by the restarted one) reach the page once
 * each, none lost, none repeated. The API needs a fixed port for this: the
 * page's origin must be the same after the restart.
 */
import { createServer } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_SETUP_MS, launchBrowser, loginCode, startWebSwarm, WEB_AGENTS, type WebSwarm } from "./support.js";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the page across a daemon restart", () => {
  let web: WebSwarm;
  let browser: Browser;

  beforeAll(async () => {
    const port = await freePort();
    [web, browser] = await Promise.all([startWebSwarm(WEB_AGENTS.replace("127.0.0.1:0", `127.0.0.1:${port}`)), launchBrowser()]);
  }, BROWSER_SETUP_MS);
  afterAll(async () => {
    await browser?.close();
    await web?.swarm.destroy();
  });

  it("reconnects with Last-Event-ID and shows every event of the outage exactly once", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${web.url}/#code=${loginCode(web.swarm)}`);
    await page.waitForSelector("[data-live=live]");

    await web.swarm.kill9();
    await page.waitForSelector("[data-live=reconnecting]");
    // Submitted straight into Redis while no daemon runs: only the stream knows of it.
    const submitted = web.swarm.cli(["submit", "--task", "echo during-the-outage", "--agent", "beta"]);
    expect(submitted.exitCode).toBe(0);
    const id = submitted.stdout.trim();
    await web.swarm.start();

    await page.waitForSelector("[data-live=live]", { timeout: 30_000 });
    expect(web.swarm.cli(["result", id, "--wait"]).exitCode).toBe(0);
    await page.waitForSelector(`li[data-type="task.completed"][data-task="${id}"]`, { timeout: 10_000 });
    const seen = await page.$$eval(`li[data-task="${id}"]`, (items) => items.map((li) => (li as HTMLElement).dataset.type));
    expect(seen.filter((type) => type === "task.submitted")).toHaveLength(1);
    expect(seen.filter((type) => type === "task.started")).toHaveLength(1);
    expect(seen.filter((type) => type === "task.completed")).toHaveLength(1);
    const ids = await page.$$eval("li[data-event]", (items) => items.map((li) => (li as HTMLElement).dataset.event));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

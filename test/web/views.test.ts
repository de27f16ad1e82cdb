/**
 * The dashboard's Workflows and Health views in a real headless Chromium
 * against a real swarm: run pasted YAML with a params form, follow the
 * execution's graph live, approve and cancel in place, what a read-only
 * session is shown; every component's health, and what to do when Redis is down.
 */
import { execFileSync } from "node:child_process";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientInternals } from "../../client/index.js";
import { startEmbeddedRedis } from "../../core/index.js";
import { waitFor } from "../helpers/wait.js";
import { tempRepo } from "../worktrees/repo.js";
import { rmSync } from "node:fs";
import { BROWSER_SETUP_MS, launchBrowser, loginCode, screenshotPath, startWebSwarm, WEB_AGENTS, type WebSwarm } from "./support.js";

const GRAPH_WORKFLOW = `name: web-graph
params:
  who:
    default: world
    description: whom to greet
steps:
  - id: first
    agent: alpha
    task: echo "hello {{params.who}}"
  - id: side
    agent: beta
    task: echo side
  - id: gate
    approval: "ship it to {{params.who}}?"
    depends_on: [first, side]
  - id: last
    agent: alpha
    depends_on: [gate]
    task: echo done
`;

describe("the dashboard's Workflows and Health views in Chromium", () => {
  let web: WebSwarm;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const api = async <T>(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; json: T }> => {
    const response = await fetch(`${web.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${web.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as T };
  };
  const node = (step: string) => `svg.workflow-graph [data-step="${step}"]`;

  // A worktree agent, for a task's patch.
  const repo = tempRepo({ "notes.txt": "one\ntwo\n" });
  const agents = WEB_AGENTS.replace(
    "default_agent: alpha",
    `  - name: coder\n    runtime: shell\n    cwd: ${repo}\n    worktree: true\n    commit: true\n    timeout: 60\ndefault_agent: alpha`,
  );

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebSwarm(agents), launchBrowser()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto(`${web.url}/#code=${loginCode(web.swarm)}`);
    await page.waitForSelector("[data-live=live]");
  }, BROWSER_SETUP_MS);
  afterAll(async () => {
    await browser?.close();
    await web?.swarm.destroy();
    rmSync(repo, { recursive: true, force: true });
  });

  it("runs pasted YAML with a form made from its params, follows its graph live, and approving in place lets it finish", async () => {
    await page.goto(`${web.url}/#/workflows`);
    await page.selectOption("form.run-form select[name=workflow]", "(paste YAML)");
    await page.fill("form.run-form textarea[name=yaml]", GRAPH_WORKFLOW);
    await page.click("form.run-form button[data-check]");
    const legend = await page.waitForSelector("form.run-form legend");
    expect(await legend.textContent()).toBe("web-graph: 4 steps");
    // The param's default fills its field; its description is shown beside it.
    expect(await page.inputValue("input[name=param-who]")).toBe("world");
    expect(await page.textContent("form.run-form fieldset")).toContain("whom to greet");
    // A param is data: markup in it is shown as text on the page and in the output, never made into elements.
    const who = `<img src=x onerror="window.__pwned=1">`;
    await page.fill("input[name=param-who]", who);
    await page.click("form.run-form button[type=submit]");

    await page.waitForFunction(() => /^#\/workflows\/.+/.test(location.hash));
    const id = decodeURIComponent(page.url().split("#/workflows/")[1] ?? "");
    await page.waitForSelector(`[data-execution="${id}"]`);
    await page.waitForSelector(`${node("first")}[data-status=completed]`);
    await page.waitForSelector(`${node("side")}[data-status=completed]`);
    await page.waitForSelector(`${node("gate")}[data-status=waiting-approval]`);
    expect(await page.getAttribute(node("last"), "data-status")).toBe("pending");
    // One arrow per dependency: first→gate, side→gate, gate→last.
    expect(await page.$$eval("svg.workflow-graph path.edge", (edges) => edges.length)).toBe(3);
    expect(await page.textContent(`[data-execution="${id}"] dl.params`)).toContain(who);

    await page.click(node("first"));
    expect(await page.textContent("[data-step-detail=first] pre.output")).toBe(`hello ${who}\n`);
    await page.click(node("gate"));
    expect(await page.textContent("[data-step-detail=gate] pre.task-text")).toBe(`ship it to ${who}?`);
    expect(await page.$$eval("main img", (found) => found.length)).toBe(0);
    await page.screenshot({ path: screenshotPath("web-workflow.png") });

    await page.click("button[data-approve=gate]");
    await page.waitForSelector(`[data-execution="${id}"][data-status=completed]`);
    await page.waitForSelector(`${node("last")}[data-status=completed]`);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // The list of executions has it, finished.
    expect(await page.textContent(`tr[data-run="${id}"]`)).toContain("completed");
    const run = await api<{ status: string; steps: Record<string, { status: string; output: string }> }>("GET", `/v1/workflows/runs/${id}`);
    expect(run.json.steps.last).toMatchObject({ status: "completed", output: "done\n" });
  });

  it("rejects a waiting step with the reason given on the page: the step and the execution fail", async () => {
    const started = await api<{ id: string }>("POST", "/v1/workflows/runs", {
      document: {
        name: "web-reject",
        steps: [
          { id: "ask", approval: "go?" },
          { id: "after", agent: "beta", depends_on: "ask", task: "echo never" },
        ],
      },
    });
    expect(started.status).toBe(201);
    const id = started.json.id;
    await page.goto(`${web.url}/#/workflows/${encodeURIComponent(id)}`);
    await page.waitForSelector(`${node("ask")}[data-status=waiting-approval]`);
    await page.fill(`[data-execution="${id}"] .actions input`, "not today");
    await page.click("button[data-reject=ask]");
    await page.waitForSelector(`[data-execution="${id}"][data-status=failed]`);
    expect(await page.getAttribute(node("ask"), "data-status")).toBe("failed");
    const run = await api<{ steps: Record<string, { status: string; reason: string | null }> }>("GET", `/v1/workflows/runs/${id}`);
    expect(run.json.steps.ask?.reason).toContain("not today");
    expect(run.json.steps.after?.status).not.toBe("completed");
  });

  it("cancels a running execution from its page, and the task of its running step with it", async () => {
    const started = await api<{ id: string }>("POST", "/v1/workflows/runs", {
      document: { name: "web-cancel", steps: [{ id: "long", agent: "beta", task: "sleep 60" }] },
    });
    const id = started.json.id;
    await page.goto(`${web.url}/#/workflows/${encodeURIComponent(id)}`);
    await page.waitForSelector(`${node("long")}[data-status=running]`);
    await page.click(`button[data-cancel-run="${id}"]`);
    await page.waitForSelector(`[data-execution="${id}"][data-status=cancelled]`);
    const run = await api<{ steps: Record<string, { taskId: string | null }> }>("GET", `/v1/workflows/runs/${id}`);
    const taskId = run.json.steps.long?.taskId;
    expect(taskId).toBeTruthy();
    const task = await api<{ status: string }>("GET", `/v1/tasks/${taskId}?wait=30`);
    expect(task.json.status).toBe("cancelled");
  });

  it("refuses, before anything runs, a shipped example whose agents this swarm does not have, naming them", async () => {
    const before = (await api<{ runs: unknown[] }>("GET", "/v1/workflows/runs")).json.runs.length;
    await page.goto(`${web.url}/#/workflows`);
    await page.selectOption("form.run-form select[name=workflow]", "deploy-app.shell");
    const alert = await page.waitForSelector("form.run-form [role=alert]");
    expect(await alert.textContent()).toMatch(/testing/);
    expect(await page.$("form.run-form button[type=submit]")).toBeNull();
    expect((await api<{ runs: unknown[] }>("GET", "/v1/workflows/runs")).json.runs.length).toBe(before);
  });

  it("shows a read-only session the executions and graphs, without the run form, approve or cancel", async () => {
    const started = await api<{ id: string }>("POST", "/v1/workflows/runs", {
      document: { name: "web-read-only", steps: [{ id: "wait-here", approval: "later?" }] },
    });
    const id = started.json.id;
    const other = await browser.newContext();
    const tab = await other.newPage();
    await tab.goto(`${web.url}/#code=${loginCode(web.swarm, ["--read-only"])}`);
    await tab.waitForSelector("[data-live=live]");
    await tab.goto(`${web.url}/#/workflows/${encodeURIComponent(id)}`);
    await tab.waitForSelector(`${node("wait-here")}[data-status=waiting-approval]`);
    expect(await tab.$("button[data-approve]")).toBeNull();
    expect(await tab.$("button[data-cancel-run]")).toBeNull();
    await tab.goto(`${web.url}/#/workflows`);
    await tab.waitForSelector(`tr[data-run="${id}"]`);
    expect(await tab.$("form.run-form")).toBeNull();
    await other.close();
    await api("POST", `/v1/workflows/runs/${id}/cancel`, {});
  });
  it("searches every task the history keeps from the Tasks view, marks the matched words, and opens one Redis has forgotten", async () => {
    const made = await api<{ id: string }>("POST", "/v1/tasks", { task: "echo 'the quarterly <b>flamingo</b> report is ready'", agent: "beta" });
    const id = made.json.id;
    await api("GET", `/v1/tasks/${id}?wait=30`);
    // Finished in the history, not only found there: the writer records a task as it starts, and again when it ends.
    await waitFor(
      "the finished task in the history",
      async () => (await api<{ tasks: { status: string }[] }>("GET", "/v1/history/tasks?search=flamingo")).json.tasks[0]?.status === "completed",
    );
    const client = await web.swarm.connect();
    await clientInternals(client.client).ledger.remove([id]); // what retention does

    await page.goto(`${web.url}/#/tasks`);
    await page.fill("input[name=search]", "flamingos");
    const row = await page.waitForSelector(`tr[data-history-task="${id}"]`);
    expect(await row.$$eval("mark", (marks) => marks.map((m) => m.textContent))).toEqual(["flamingo"]);
    expect(await row.$$eval("b", (found) => found.length)).toBe(0);
    await page.click(`tr[data-history-task="${id}"] a`);
    await page.waitForSelector("[data-from-history]");
    expect(await page.textContent(`[data-task-detail="${id}"] pre.output`)).toContain("the quarterly <b>flamingo</b> report is ready");
    // Escape clears the search: the live list is back.
    await page.focus("input[name=search]");
    await page.keyboard.press("Escape");
    await page.waitForSelector("[data-search-results]", { state: "detached" });

    // The workflow filter: only the tasks of web-graph's steps (the first test ran it), each named by its step.
    await page.fill("input[name=workflow]", "web-graph");
    await page.waitForFunction(() => Number(document.querySelector("[data-search-results]")?.getAttribute("data-search-results")) >= 3);
    const cells = await page.$$eval("tr[data-history-task] td:nth-child(5)", (found) => found.map((td) => td.textContent));
    expect(new Set(cells)).toEqual(new Set(["web-graph/first", "web-graph/side", "web-graph/last"]));
    await page.focus("input[name=workflow]");
    await page.keyboard.press("Escape");
    await page.waitForSelector("[data-search-results]", { state: "detached" });
  });

  it("shows a task's long output without putting every line into the page, and its events in order with their offsets", async () => {
    const made = await api<{ id: string }>("POST", "/v1/tasks", { task: "seq 1 100000", agent: "beta" });
    const id = made.json.id;
    const done = await api<{ status: string; output: string }>("GET", `/v1/tasks/${id}?wait=60`);
    expect(done.json.status).toBe("completed");
    const lines = done.json.output.split("\n").length;
    expect(lines).toBeGreaterThan(2000);

    await page.goto(`${web.url}/#/tasks/${encodeURIComponent(id)}`);
    const box = await page.waitForSelector(`[data-task-detail="${id}"] .virtual-text`);
    expect(Number(await box.getAttribute("data-lines"))).toBe(lines);
    expect(await box.$$eval(".line", (shown) => shown.length)).toBeLessThan(200);
    await box.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
      el.dispatchEvent(new Event("scroll"));
    });
    const lastLine = done.json.output.trimEnd().split("\n").at(-1) as string;
    await page.waitForFunction((text) => [...document.querySelectorAll(".virtual-text .line")].some((line) => line.textContent === text), lastLine);
    expect(await box.$$eval(".line", (shown) => shown.length)).toBeLessThan(200);

    const events = await page.$$eval(`[data-timeline="${id}"] li`, (items) => items.map((item) => item.getAttribute("data-event")));
    expect(events).toEqual(["task.submitted", "task.started", "task.completed"]);
    expect(await page.textContent(`[data-timeline="${id}"] li:first-child .offset`)).toBe("+0 ms");
  });

  it("shows a worktree task's patch when asked, its added and removed lines marked, its markup as text", async () => {
    const made = await api<{ id: string }>("POST", "/v1/tasks", {
      task: `printf 'one\\nthree\\n' > notes.txt; echo '<img src=x onerror="window.__pwned=9">' > page.html`,
      agent: "coder",
    });
    const done = await api<{ status: string; diffBytes?: number }>("GET", `/v1/tasks/${made.json.id}?wait=60`);
    expect(done.json).toMatchObject({ status: "completed", diffBytes: expect.any(Number) });
    await page.goto(`${web.url}/#/tasks/${encodeURIComponent(made.json.id)}`);
    const button = await page.waitForSelector(`[data-task-detail="${made.json.id}"] button.show-patch`);
    expect(await button.textContent()).toMatch(/^Show the patch \(\d+ B\)$/);
    await button.click();
    const patch = await page.waitForSelector("pre.patch");
    expect(await patch.$$eval(".patch-add", (lines) => lines.map((line) => line.textContent))).toEqual([
      "+three\n",
      '+<img src=x onerror="window.__pwned=9">\n',
    ]);
    expect(await patch.$$eval(".patch-del", (lines) => lines.map((line) => line.textContent))).toEqual(["-two\n"]);
    expect(await patch.$$eval("img", (found) => found.length)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it("shows each agent's queue and what holds it, and the last hour's finished tasks per minute from the history", async () => {
    expect((await api("POST", "/v1/agents/beta/pause", {})).status).toBe(200);
    const waiting = await api<{ id: string }>("POST", "/v1/tasks", { task: "echo held back", agent: "beta" });
    try {
      await page.goto(`${web.url}/#/queues`);
      await page.waitForSelector('tr[data-queue="beta"] td[data-waiting="1"]');
      expect(await page.getAttribute('tr[data-queue="beta"] td[data-held]', "data-held")).toContain("paused");
      expect(await page.getAttribute('tr[data-queue="alpha"] td[data-held]', "data-held")).toBe("");
      const charts = await page.waitForSelector("[data-throughput]");
      const finished = (
        await api<{ buckets: { completed: number; failed: number; cancelled: number }[] }>("GET", "/v1/history/throughput?minutes=60")
      ).json.buckets.reduce((sum, b) => sum + b.completed + b.failed + b.cancelled, 0);
      expect(Number(await charts.getAttribute("data-throughput"))).toBeGreaterThan(0);
      expect(Number(await charts.getAttribute("data-throughput"))).toBeLessThanOrEqual(finished);
      expect(await page.$$eval("svg.bar-chart", (svgs) => svgs.length)).toBe(2);
      expect(await page.$$eval("svg.bar-chart:first-of-type g[data-bar]", (bars) => bars.length)).toBeGreaterThanOrEqual(60);
      expect(await page.textContent("[data-summary]")).toMatch(/^\d+ completed, \d+ failed or timed out, \d+ cancelled or refused/);
      await page.screenshot({ path: screenshotPath("web-queues.png") });
    } finally {
      await api("POST", "/v1/agents/beta/resume", {});
    }
    expect((await api<{ status: string }>("GET", `/v1/tasks/${waiting.json.id}?wait=30`)).json.status).toBe("completed");
  });

  it("shows every component's and agent's health, and when Redis goes down, says so with what to do, until it is back", async () => {
    await page.goto(`${web.url}/#/health`);
    await page.waitForSelector("[data-health=ok]");
    for (const name of ["redis", "supervisor", "bridge", "history", "tmux", "alpha", "beta"]) {
      expect(await page.getAttribute(`tr[data-component="${name}"]`, "data-level")).toBe("ok");
    }
    expect(await page.textContent('tr[data-component="alpha"] td.detail')).toBe("2/2 sessions up");

    execFileSync("redis-cli", ["-s", web.swarm.paths.redisSocket, "shutdown"], { stdio: "ignore" });
    try {
      await page.waitForSelector("[data-health=down]", { timeout: 20_000 });
      expect(await page.getAttribute('tr[data-component="redis"]', "data-level")).toBe("down");
      expect(await page.textContent('tr[data-component="redis"] td.fix')).toContain("claude-agent doctor");
    } finally {
      await startEmbeddedRedis(web.swarm.paths);
    }
    await page.waitForSelector("[data-health=ok]", { timeout: 30_000 });
    await waitFor("the API to take tasks again", async () => (await api("GET", "/v1/status")).status === 200, { timeoutMs: 30_000 });
  });
});

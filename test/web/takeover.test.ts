/**
 * Taking an agent's terminal over, against a real swarm: what the person
 * types reaches the pane, the session gets no new task until it is handed
 * back, every viewer is told who is typing, one person at a time, and both
 * ends are in the audit trail; then the same from the dashboard in Chromium.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestSocket } from "../api/ws-client.js";
import { waitFor } from "../helpers/wait.js";
import { BROWSER_SETUP_MS, launchBrowser, loginCode, startWebSwarm, type WebSwarm } from "./support.js";

const require = createRequire(import.meta.url);
const WebSocket = require("ws") as new (url: string, options: { headers: Record<string, string> }) => TestSocket;

interface Frames {
  socket: TestSocket;
  text: Record<string, unknown>[];
  closed: { code: number; reason: string } | null;
}

describe("taking a session's terminal over", () => {
  let web: WebSwarm;
  let browser: Browser;
  let headers: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), "ca-takeover-"));

  const call = async <T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${web.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${web.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as T;
  };
  /** A socket on beta-1's terminal that keeps its text frames (binary frames are the screen) and how it closed. */
  const open = async (mode: "read" | "write"): Promise<Frames> => {
    const url = `${web.url.replace("http", "ws")}/v1/sessions/beta-1/terminal${mode === "write" ? "?mode=write" : ""}`;
    const socket = new WebSocket(url, headers ? { headers } : { headers: {} });
    const frames: Frames = { socket, text: [], closed: null };
    socket.on("error", () => undefined);
    socket.on("message", (data: Buffer) => {
      const text = data.toString("utf8");
      if (text.startsWith('{"type":')) frames.text.push(JSON.parse(text) as Record<string, unknown>);
    });
    socket.on("close", (code: number, reason: Buffer) => (frames.closed = { code, reason: reason.toString() }));
    await waitFor("the hello frame", () => frames.text.some((f) => f.type === "hello") || frames.closed !== null);
    return frames;
  };

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebSwarm(), launchBrowser()]);
    const login = await fetch(`${web.url}/web/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: web.url },
      body: JSON.stringify({ code: loginCode(web.swarm) }),
    });
    headers = { cookie: login.headers.get("set-cookie")!.split(";")[0]!, origin: web.url };
  }, BROWSER_SETUP_MS);
  afterAll(async () => {
    await browser?.close();
    await web?.swarm.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("types into the pane, holds the session's new tasks until it is handed back, tells every viewer, and lets one person type at a time", async () => {
    const viewer = await open("read");
    expect(viewer.text[0]).toMatchObject({ type: "hello", mode: "read" });
    const writer = await open("write");
    expect(writer.text[0]).toMatchObject({ type: "hello", mode: "write" });
    await waitFor("the viewer told who is typing", () => viewer.text.some((f) => f.type === "takeover"));
    const by = viewer.text.find((f) => f.type === "takeover")?.by as string;
    expect(by).toMatch(/^web:/);

    // What the person types reaches the agent's shell.
    const typed = join(dir, "typed-by-a-person");
    writer.socket.send(`echo handled > ${typed}\r`);
    await waitFor("the typed command to run", () => existsSync(typed) && readFileSync(typed, "utf8") === "handled\n");

    // A task for the agent waits while its only session is taken over, and runs once it is handed back.
    const task = await call<{ id: string }>("POST", "/v1/tasks", { task: "echo after the hand-back", agent: "beta" });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await call<{ status: string }>("GET", `/v1/tasks/${task.id}`)).status).toBe("queued");

    // status, its JSON and GET /v1/agents say who has the session, and since when.
    const beta = async () =>
      (await call<{ sessions: { name: string; takenOver?: { by: string; since: string } }[] }>("GET", "/v1/agents/beta")).sessions.find(
        (s) => s.name === "beta-1",
      );
    const taken = await waitFor("GET /v1/agents to show the take-over", async () => (await beta())?.takenOver);
    expect(taken).toEqual({ by, since: expect.stringMatching(/^\d{4}-/) });
    const shown = web.swarm.cli(["status"]);
    expect(shown.stdout.split("\n").find((line) => line.startsWith("beta-1 "))).toContain(`taken over by ${by} since `);
    const json = JSON.parse(web.swarm.cli(["status", "--json"]).stdout) as { sessions: { name: string; takenOver?: { by: string } }[] };
    expect(json.sessions.find((s) => s.name === "beta-1")?.takenOver?.by).toBe(by);

    // Someone else asking to type is refused, naming who has it; the first writer is unaffected.
    const second = await open("write");
    await waitFor("the second writer refused", () => second.closed !== null);
    expect(second.closed).toEqual({ code: 4009, reason: `taken over by ${by}` });

    writer.socket.close();
    await waitFor("the viewer told it is handed back", () => viewer.text.some((f) => f.type === "handback"));
    const done = await call<{ status: string; output: string }>("GET", `/v1/tasks/${task.id}?wait=30`);
    expect(done).toMatchObject({ status: "completed", output: "after the hand-back\n" });
    await waitFor("the hand-back in GET /v1/agents", async () => (await beta()) !== undefined && (await beta())?.takenOver === undefined);
    viewer.socket.close();

    const audit = await call<{ events: { action?: string; actor?: string }[] }>("GET", "/v1/events/history?type=audit&limit=100");
    const actions = audit.events.filter((e) => e.actor === by).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["sessionTakeOver", "sessionHandBack"]));
  });

  it("takes over from the dashboard: the other viewer sees who types and cannot take it, and Hand back frees the session", async () => {
    const person = await browser.newContext();
    const other = await browser.newContext();
    const mine = await person.newPage();
    const theirs = await other.newPage();
    for (const page of [mine, theirs]) {
      await page.goto(`${web.url}/#code=${loginCode(web.swarm)}`);
      await page.waitForSelector("[data-live=live]");
      await page.goto(`${web.url}/#/terminal/beta-1`);
      await page.waitForSelector("[data-terminal-state=live]");
    }
    await mine.click("button[data-take-over]");
    await mine.waitForSelector("[data-mode=write][data-terminal-state=live]");
    await theirs.waitForSelector("[data-writer]");
    expect(await theirs.isDisabled("button[data-take-over]")).toBe(true);

    const typed = join(dir, "typed-in-the-browser");
    await mine.click(".terminal");
    await mine.keyboard.type(`echo from-the-browser > ${typed}`);
    await mine.keyboard.press("Enter");
    await waitFor("the command typed in the browser to run", () => existsSync(typed) && readFileSync(typed, "utf8") === "from-the-browser\n");

    await mine.click("button[data-hand-back]");
    await theirs.waitForSelector("[data-writer]", { state: "detached" });
    expect(await theirs.isDisabled("button[data-take-over]")).toBe(false);
    const task = await call<{ id: string }>("POST", "/v1/tasks", { task: "echo free again", agent: "beta" });
    expect((await call<{ status: string }>("GET", `/v1/tasks/${task.id}?wait=30`)).status).toBe("completed");
    await person.close();
    await other.close();
  });
});

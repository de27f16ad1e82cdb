/**
 * The dashboard's session cookie against other origins. A page served from
 * another port of the same machine is the realistic attacker: ports do not
 * make a different "site", so a SameSite=Strict cookie still goes with its
 * requests, and only the Origin and CSRF checks stand between it and the
 * swarm. Also: the cookie's flags, the CSRF header, and the terminal scope.
 */
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_SETUP_MS, launchBrowser, loginCode, startWebSwarm, type WebSwarm } from "./support.js";

const require = createRequire(import.meta.url);
const WebSocket = require("ws") as new (url: string, options: { headers: Record<string, string> }) => import("node:events").EventEmitter & { close(): void };

/** Opens a WebSocket from Node with the given headers: "open", or the HTTP status of a refused upgrade. */
function tryUpgrade(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.on("open", () => {
      socket.close();
      resolve("open");
    });
    socket.on("unexpected-response", (_req: unknown, res: { statusCode: number }) => resolve(String(res.statusCode)));
    socket.on("error", () => resolve("error"));
  });
}

async function cookieLogin(web: WebSwarm, args: readonly string[] = []): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(`${web.url}/web/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: web.url },
    body: JSON.stringify({ code: loginCode(web.swarm, args) }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
  return { cookie, csrf: ((await response.json()) as { csrf: string }).csrf };
}

describe("the web session against other origins", () => {
  let web: WebSwarm;
  let browser: Browser;
  let context: BrowserContext;
  let evil: Server;
  let evilUrl: string;

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebSwarm(), launchBrowser()]);
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${web.url}/#code=${loginCode(web.swarm)}`);
    await page.waitForSelector("[data-live=live]");
    evil = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(evilPage(web.url)));
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  }, BROWSER_SETUP_MS);
  afterAll(async () => {
    evil?.close();
    await browser?.close();
    await web?.swarm.destroy();
  });

  it("keeps the session cookie from scripts: HttpOnly, SameSite=Strict", async () => {
    const [cookie] = await context.cookies(web.url);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    const page = await context.newPage();
    await page.goto(`${web.url}/#/agents`);
    expect(await page.evaluate(() => document.cookie)).not.toContain(cookie!.value);
  });

  it("refuses a page of another origin on this machine that submits tasks and opens sockets with the user's cookie", async () => {
    const page = await context.newPage();
    await page.goto(evilUrl);
    const results = (await page
      .waitForFunction(() => (window as unknown as { results?: unknown }).results, undefined, { timeout: 20_000 })
      .then((h) => h.jsonValue())) as Record<string, string>;
    // The request went out with the cookie (same site: ports do not count) and was refused by the origin check.
    expect(results.plainPost).toBe("opaque");
    expect(results.pause).toBe("opaque");
    expect(results.terminalSocket).toBe("refused");
    expect(results.eventSocket).toBe("refused");
    const tasks = (await (await fetch(`${web.url}/v1/tasks?limit=100`, { headers: { authorization: `Bearer ${web.token}` } })).json()) as {
      tasks: { task: string }[];
    };
    expect(tasks.tasks.filter((t) => t.task.includes("cross-origin-attack"))).toEqual([]);
    const beta = (await (await fetch(`${web.url}/v1/agents/beta`, { headers: { authorization: `Bearer ${web.token}` } })).json()) as { paused: boolean };
    expect(beta.paused).toBe(false);
  });

  it("refuses a request with the cookie but without the session's CSRF token, or from a foreign Origin", async () => {
    const { cookie, csrf } = await cookieLogin(web);
    const post = (headers: Record<string, string>) =>
      fetch(`${web.url}/v1/tasks`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", ...headers },
        body: JSON.stringify({ task: "echo csrf", agent: "beta" }),
      }).then((r) => r.status);
    expect(await post({ origin: web.url })).toBe(403);
    expect(await post({ origin: web.url, "x-csrf-token": "x".repeat(43) })).toBe(403);
    expect(await post({ origin: "http://127.0.0.1:1", "x-csrf-token": csrf })).toBe(403);
    expect(await post({ "x-csrf-token": csrf })).toBe(403);
    expect(await post({ origin: web.url, "x-csrf-token": csrf })).toBe(201);
  });

  it("refuses a WebSocket with a foreign Origin even with the session cookie", async () => {
    const { cookie } = await cookieLogin(web);
    const ws = web.url.replace("http", "ws");
    expect(await tryUpgrade(`${ws}/v1/sessions/beta-1/terminal`, { cookie, origin: "http://evil.example" })).toBe("403");
    expect(await tryUpgrade(`${ws}/v1/ws`, { cookie, origin: "http://evil.example" })).toBe("403");
    expect(await tryUpgrade(`${ws}/v1/sessions/beta-1/terminal`, { cookie, origin: web.url })).toBe("open");
  });

  it("gives a terminal only to a session with the terminal scope", async () => {
    const { cookie } = await cookieLogin(web, ["--scope", "read,submit"]);
    const ws = web.url.replace("http", "ws");
    expect(await tryUpgrade(`${ws}/v1/sessions/beta-1/terminal`, { cookie, origin: web.url })).toBe("403");
    const created = web.swarm.cli(["api", "token", "create", "--name", "no-terminal", "--json"]);
    const token = (JSON.parse(created.stdout) as { token: string }).token;
    expect(await tryUpgrade(`${ws}/v1/sessions/beta-1/terminal`, { authorization: `Bearer ${token}` })).toBe("403");
    expect(await tryUpgrade(`${ws}/v1/sessions/beta-1/terminal`, { authorization: `Bearer ${web.token}` })).toBe("open");
  });
});

/** The attacker's page: simple (no preflight) POSTs, a task and a pause (no body: nothing for validation to refuse), then both sockets. */
function evilPage(api: string): string {
  const ws = api.replace("http", "ws");
  return `<!doctype html><script>
const results = {};
const socket = (url) => new Promise((resolve) => { const s = new WebSocket(url); s.onopen = () => { s.close(); resolve("open"); }; s.onerror = () => resolve("refused"); });
(async () => {
  try {
    const r = await fetch(${JSON.stringify(`${api}/v1/tasks`)}, { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: JSON.stringify({ task: "echo cross-origin-attack", agent: "beta" }) });
    results.plainPost = r.type;
    const p = await fetch(${JSON.stringify(`${api}/v1/agents/beta/pause`)}, { method: "POST", mode: "no-cors", credentials: "include" });
    results.pause = p.type;
  } catch (e) { results.plainPost = "error " + e; }
  results.terminalSocket = await socket(${JSON.stringify(`${ws}/v1/sessions/beta-1/terminal`)});
  results.eventSocket = await socket(${JSON.stringify(`${ws}/v1/ws`)});
  window.results = results;
})();
</script>`;
}

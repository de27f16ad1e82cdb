/**
 * The terminal socket's processes: one pty (a `tmux attach -r` client) per
 * viewer, gone when its socket closes, after many cycles and when the
 * daemon dies; and a viewer's bytes never reach the pane. Counted from
 * outside: the tmux server's client list and the daemon's child processes.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginCode, startWebSwarm, type WebSwarm } from "./support.js";
import { waitFor } from "../helpers/wait.js";

const require = createRequire(import.meta.url);
type Socket = import("node:events").EventEmitter & { close(): void; send(data: string): void };
const WebSocket = require("ws") as new (url: string, options: { headers: Record<string, string> }) => Socket;

/** Opens a viewer and resolves once it has drawn something (the hello frame, then the screen). */
function openViewer(url: string, headers: Record<string, string>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    let frames = 0;
    socket.on("message", () => {
      if (++frames === 2) resolve(socket);
    });
    socket.on("unexpected-response", (_req: unknown, res: { statusCode: number }) => reject(new Error(`refused: ${res.statusCode}`)));
    socket.on("error", reject);
    socket.on("close", (code: number) => reject(new Error(`closed: ${code}`)));
  });
}

describe("terminal viewers' processes", () => {
  let web: WebSwarm;
  let headers: Record<string, string>;
  let terminalUrl: string;
  const tmuxClients = () =>
    execFileSync("tmux", ["-S", web.swarm.paths.tmuxSocket, "list-clients", "-F", "#{client_name}"], { encoding: "utf8" }).split("\n").filter(Boolean).length;
  const viewerClients = () =>
    execFileSync("tmux", ["-S", web.swarm.paths.tmuxSocket, "list-clients", "-F", "#{client_readonly}"], { encoding: "utf8" })
      .split("\n")
      .filter((flag) => flag === "1").length;
  /** The daemon's child processes that are tmux clients (node-pty spawns them as direct children). */
  const attachChildren = () =>
    spawnSync("pgrep", ["-P", String(web.swarm.daemon!.pid), "-f", "attach-session -r"], { encoding: "utf8" })
      .stdout.split("\n")
      .filter(Boolean).length;

  beforeAll(async () => {
    web = await startWebSwarm();
    const login = await fetch(`${web.url}/web/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: web.url },
      body: JSON.stringify({ code: loginCode(web.swarm) }),
    });
    headers = { cookie: login.headers.get("set-cookie")!.split(";")[0]!, origin: web.url };
    terminalUrl = `${web.url.replace("http", "ws")}/v1/sessions/alpha-1/terminal`;
  }, 120_000);
  afterAll(async () => {
    await web?.swarm.destroy();
  });

  it("leaves no pty and no tmux client behind after 100 viewers opened and closed", async () => {
    const baseline = tmuxClients();
    const started = Date.now();
    for (let i = 0; i < 100; i++) {
      const socket = await openViewer(terminalUrl, headers);
      if (i === 0) expect(tmuxClients()).toBe(baseline + 1);
      socket.close();
    }
    const cycleMs = (Date.now() - started) / 100;
    await waitFor("every viewer's tmux client to be gone", () => tmuxClients() === baseline && viewerClients() === 0 && attachChildren() === 0, {
      timeoutMs: 10_000,
    });
    expect(cycleMs).toBeGreaterThan(0); // reported below, never asserted against a time
    process.stdout.write(`terminal viewer open+first frame+close: ${cycleMs.toFixed(1)} ms per cycle\n`);
  });

  it("serves several viewers of one session at once, each with its own pty", async () => {
    await waitFor("earlier viewers to be gone", () => attachChildren() === 0, { timeoutMs: 10_000 });
    const baseline = tmuxClients();
    const sockets = await Promise.all([1, 2, 3].map(() => openViewer(terminalUrl, headers)));
    expect(tmuxClients()).toBe(baseline + 3);
    expect(attachChildren()).toBe(3);
    for (const socket of sockets) socket.close();
    await waitFor("the three clients to be gone", () => tmuxClients() === baseline && attachChildren() === 0, { timeoutMs: 10_000 });
  });

  it("never passes a viewer's bytes to the pane, not even tmux's own keys", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ca-term-"));
    const marker = join(dir, "typed");
    try {
      const socket = await openViewer(terminalUrl, headers);
      socket.send(`touch ${marker}\r`);
      socket.send("\u0002d"); // C-b d: a read-only tmux client still obeys detach
      socket.send(Buffer.from(`touch ${marker}\r`).toString());
      await new Promise((r) => setTimeout(r, 500));
      const pane = execFileSync("tmux", ["-S", web.swarm.paths.tmuxSocket, "capture-pane", "-p", "-t", "=alpha-1:"], { encoding: "utf8" });
      expect(pane).not.toContain(marker);
      expect(existsSync(marker)).toBe(false);
      expect(attachChildren()).toBe(1); // still attached: C-b d did not reach it
      socket.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves no tmux client behind when the daemon is killed with viewers open", async () => {
    await waitFor("earlier viewers to be gone", () => attachChildren() === 0, { timeoutMs: 10_000 });
    await Promise.all([1, 2, 3].map(() => openViewer(terminalUrl, headers)));
    expect(viewerClients()).toBe(3);
    await web.swarm.kill9();
    // The viewers lose their pty and exit. Only their read-only clients are counted: the daemon's control-mode client can outlive a SIGKILLed daemon (seen here), which is the sessions layer's business.
    await waitFor("the viewers' tmux clients to exit", () => viewerClients() === 0, { timeoutMs: 10_000 });
  });
});

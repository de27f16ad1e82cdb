/**
 * Issue 16, remote attach: `attach` run in one host's home reaches a session on the other host through
 * that host's `ssh:` target. Two simulated hosts (support.ts: two homes, two tmux servers, two daemons,
 * one Redis) and a real sshd on loopback (sshd.ts); the client's port and key come from the file
 * CLAUDE_AGENT_SSH_CONFIG names, as swarm.yaml's `ssh:` is only `[user@]host`. Nothing is mocked.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { posixShellWord } from "../../core/index.js";
import { type PtyCli, spawnCliInPty } from "../helpers/pty-cli.js";
import { runCli, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { lineWith, TestTerminal } from "../tui/terminal.js";
import { INSTALL_TIMEOUT_MS } from "../helpers/debian.js";
import { startSshd, type Sshd } from "./sshd.js";

const require = createRequire(import.meta.url);
type Socket = import("node:events").EventEmitter & { close(): void; send(data: string): void };
const WebSocket = require("ws") as new (url: string, options: { headers: Record<string, string> }) => Socket;
import { daemonLog, startTwoHosts, type TwoHosts, viewerClients, webLogin } from "./support.js";

const SWARM = `rattach-${process.pid}`;
const PWNED = `/tmp/ca-pwned-${process.pid}`;

/** The pane as its own host's tmux server has it. */
function pane(home: string, session: string): string {
  return execFileSync("tmux", ["-S", join(home, "run", "tmux.sock"), "capture-pane", "-p", "-t", `=${session}:`], { encoding: "utf8" });
}

/** Types into a pane as its own host would (`send-keys`), not through any attach. */
function sendKeys(home: string, session: string, ...keys: string[]): void {
  execFileSync("tmux", ["-S", join(home, "run", "tmux.sock"), "send-keys", "-t", `=${session}:`, ...keys]);
}

/**
 * C-b d until the attach ends. Sent again because tmux takes keys that arrive within `assume-paste-time`
 * (1 ms) of the ones before as a paste, whose C-b is no prefix: written right after other keys, the first
 * C-b d may reach the pane (writable) or be ignored (read-only). Keys written before it are read first.
 */
async function detach(term: PtyCli): Promise<number> {
  for (;;) {
    term.write("\x02d");
    const ended = await Promise.race([term.done, new Promise<null>((resolve) => setTimeout(() => resolve(null), 500))]);
    if (ended) return ended.exitCode;
  }
}

/** Clients attached to a host's tmux server, besides its daemon's own control-mode client. */
interface Terminal {
  readonly hello: Record<string, unknown>;
  /** Everything drawn so far, as text. */
  text(): string;
  send(data: string): void;
  close(): void;
}

/** A live terminal's WebSocket, as the page opens it: resolves on its hello frame; rejects with `closed CODE: REASON` when refused. */
function openTerminal(url: string, headers: Record<string, string>): Promise<Terminal> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    let drawn = "";
    // The screen comes in binary frames, the hello and notices in text frames.
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        drawn += data.toString("utf8");
        return;
      }
      resolve({
        hello: JSON.parse(data.toString("utf8")) as Record<string, unknown>,
        text: () => drawn,
        send: (d) => socket.send(d),
        close: () => socket.close(),
      });
    });
    socket.on("unexpected-response", (_req: unknown, res: { statusCode: number }) => reject(new Error(`refused: ${res.statusCode}`)));
    socket.on("error", reject);
    socket.on("close", (code: number, reason: Buffer) => reject(new Error(`closed ${code}: ${reason.toString("utf8")}`)));
  });
}

describe("attach to a session on another host, over ssh", { timeout: 120_000 }, () => {
  let sshd: Sshd;
  let pair: TwoHosts;
  let build: TestSwarm;
  let gpu: TestSwarm;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    sshd = await startSshd();
    const user = sshd.user;
    const yaml = `swarm: ${SWARM}
hosts:
  build-1: { ssh: ${user}@build-1 }
  gpu-1:   { ssh: ${user}@gpu-1, labels: [gpu], api_url: "http://127.0.0.1:1" }
  edge-1:  { labels: [arm] }
  lab-1:   { ssh: ${user}@lab-1 }
  dead-1:  { ssh: ${user}@dead-1 }
agents:
  - { name: api, runtime: shell, hosts: [build-1], timeout: 60 }
  - { name: trainer, runtime: shell, hosts: [gpu-1], timeout: 60 }
  - { name: edger, runtime: shell, hosts: [edge-1], timeout: 60 }
  - { name: labber, runtime: shell, hosts: [lab-1], timeout: 60 }
  - { name: ghost, runtime: shell, hosts: [dead-1], timeout: 60 }
default_agent: api
api:
  listen: 127.0.0.1:0
`;
    // The daemons reach the other host over ssh too (the web dashboard's terminal), with the test's ssh_config:
    // gpu-1 publishes an API URL nothing listens at (port 1), so the relay through its daemon fails and ssh is the fallback.
    pair = await startTwoHosts(yaml, "attach-pw", { CLAUDE_AGENT_SSH_CONFIG: sshd.clientConfig });
    ({ build, gpu } = pair);
    env = { ...pair.env, CLAUDE_AGENT_SSH_CONFIG: sshd.clientConfig };
    // Two hosts beating with no daemon here, as their daemons write them: one without `ssh:`, one whose
    // record (anyone with Redis access can write there) names a socket path made to break out of quotes.
    const redis = new Redis(pair.env.REDIS_URL!);
    const beatAt = new Date().toISOString();
    const record = (host: string, tmuxSocket: string, sessions: string[]) =>
      JSON.stringify({
        host,
        version: "1.0.0",
        pid: 1,
        machine: host,
        home: `/srv/${host}`,
        tmuxSocket,
        startedAt: beatAt,
        beatAt,
        leaseMs: 3_600_000,
        sessions,
      });
    await redis.hset(`ca-${SWARM}:hosts`, "edge-1", record("edge-1", "/srv/edge-1/run/tmux.sock", ["edger-1"]));
    await redis.hset(`ca-${SWARM}:hosts`, "lab-1", record("lab-1", `/tmp/x'; touch ${PWNED}; '`, ["labber-1"]));
    await redis.quit();
    const done = build.cli(["submit", "--agent", "trainer", "--task", "printf 'remote-%s\\n' seen", "--wait"]);
    expect(done.exitCode, done.stderr).toBe(0);
  }, INSTALL_TIMEOUT_MS + 200_000);

  afterAll(async () => {
    await pair?.stop();
    await sshd?.stop();
  });

  it("shows the other host's pane read-only by default: keys typed never reach it", async () => {
    const term = spawnCliInPty(["attach", "trainer"], { home: build.home, env });
    try {
      await term.waitFor(/remote-seen/, "the gpu host's pane through ssh");
      // The detach is read after these keys: when attach ends, tmux has refused them or passed them on.
      term.write("typed-ro");
      expect(await detach(term)).toBe(0);
    } finally {
      term.kill();
    }
    // Keys passed on would reach the pane's shell before these: once it echoes them, it would have echoed those.
    sendKeys(gpu.home, "trainer-1", "-l", "after-detach");
    const seen = await waitFor("the pane's shell to echo keys sent after the detach", () => {
      const text = pane(gpu.home, "trainer-1");
      return text.includes("after-detach") && text;
    });
    sendKeys(gpu.home, "trainer-1", "C-u");
    expect(seen).toContain("remote-seen");
    // "typed", not "typed-ro": a C-b reaching a shell moves its cursor back, and what follows lands inside the word.
    expect(seen).not.toContain("typed");
    expect(sshd.log()).toMatch(new RegExp(`Accepted publickey for ${sshd.user} from 127\\.0\\.0\\.1`));
  });

  it("types into the other host's pane when attached with --write", async () => {
    const term = spawnCliInPty(["attach", "trainer-1", "--write"], { home: build.home, env });
    try {
      await term.waitFor(/remote-seen/, "the gpu host's pane through ssh");
      term.write("typed-rw");
      await waitFor("the typed keys in the gpu host's pane", () => pane(gpu.home, "trainer-1").includes("typed-rw"));
      term.write("\x15"); // C-u: the agent's prompt is left as it was
      await waitFor("the typed keys erased", () => !pane(gpu.home, "trainer-1").includes("typed-rw"));
      expect(await detach(term)).toBe(0);
    } finally {
      term.kill();
    }
  });

  it("attaches to a session of its own host on its own tmux server, without ssh", async () => {
    // An ssh config that does not exist: any ssh run would fail.
    const term = spawnCliInPty(["attach", "trainer", "--read-only"], { home: gpu.home, env: { ...env, CLAUDE_AGENT_SSH_CONFIG: "/nonexistent/ssh_config" } });
    try {
      await term.waitFor(/remote-seen/, "the pane on this host's tmux server");
      expect(await detach(term)).toBe(0);
    } finally {
      term.kill();
    }
  });

  it("attaches from the dashboard to another host's session over ssh, and says why it cannot for a host without ssh:", async () => {
    const term = TestTerminal.start({ width: 160, height: 48 });
    try {
      term.run(`REDIS_URL=${posixShellWord(env.REDIS_URL!)} CLAUDE_AGENT_SSH_CONFIG=${posixShellWord(sshd.clientConfig)} ${term.dashboardCommand(build.home)}`);
      const row = (screen: string, session: string) => lineWith(screen, new RegExp(`│${session}\\s`));
      await term.waitFor((s) => /idle/.test(row(s, "trainer-1")), { what: "the dashboard with trainer-1", timeoutMs: 30_000 });
      term.keys("j"); // api-1, then trainer-1
      term.keys("a");
      await term.waitFor((s) => /\[trainer-1\]/.test(s) && s.includes("remote-seen"), { what: "trainer-1's pane through ssh", timeoutMs: 30_000 });
      term.keys("C-b", "d");
      await term.waitFor(/back from trainer-1/, { what: "the dashboard again" });
      term.keys("j"); // edger-1, on edge-1 which has no ssh:
      term.keys("a");
      await term.waitFor(/cannot attach to edger-1: session edger-1 is on host edge-1, which has no `ssh:` target/, { what: "the reason" });
    } finally {
      term.close();
    }
  });

  it("shows another host's session in the web dashboard's live terminal over ssh when its daemon cannot be reached, read-only unless taken over", async () => {
    const web = await webLogin(build);
    const viewer = await openTerminal(`${web.ws}/v1/sessions/trainer-1/terminal`, web.headers);
    const writer = await openTerminal(`${web.ws}/v1/sessions/trainer-1/terminal?mode=write`, web.headers);
    try {
      expect(viewer.hello).toMatchObject({ type: "hello", session: "trainer-1", mode: "read" });
      expect(writer.hello).toMatchObject({ type: "hello", session: "trainer-1", mode: "write" });
      await waitFor("the gpu host's pane in the browser's terminal", () => viewer.text().includes("remote-seen") && writer.text().includes("remote-seen"));
      // Two clients of the gpu host's own tmux server (through ssh), one of them read-only.
      expect(viewerClients(gpu.home)).toHaveLength(2);
      viewer.send("typed-web-ro");
      writer.send("typed-web-rw");
      await waitFor("the taker's keys in the gpu host's pane", () => pane(gpu.home, "trainer-1").includes("typed-web-rw"));
      await waitFor("the read-only viewer to see them too", () => viewer.text().includes("typed-web-rw"));
      expect(pane(gpu.home, "trainer-1")).not.toContain("typed-web-ro");
      writer.send("\x15"); // C-u: the agent's prompt is left as it was
      await waitFor("the typed keys erased", () => !pane(gpu.home, "trainer-1").includes("typed-web-rw"));
    } finally {
      viewer.close();
      writer.close();
    }
    // Each viewer was its own ssh client: both tmux clients on the gpu host's server go with their sockets.
    await waitFor("the ssh viewers' tmux clients gone from the gpu host", () => viewerClients(gpu.home).length === 0);
    // The relay was tried first, for each of them, and its failure logged.
    const failed = await waitFor("both relay failures in build-1's log", () => {
      const lines = daemonLog(build, "web.relay-failed").filter((line) => line.host === "gpu-1");
      return lines.length >= 2 && lines;
    });
    expect(failed[0]).toMatchObject({ url: "http://127.0.0.1:1", reason: "cannot reach host gpu-1's API at http://127.0.0.1:1: ECONNREFUSED" });
  });

  it("refuses, with the reason, a web terminal of a host without ssh: and one whose published socket path is hostile", async () => {
    const web = await webLogin(build);
    const noSsh = await openTerminal(`${web.ws}/v1/sessions/edger-1/terminal`, web.headers).catch((error: Error) => error.message);
    expect(noSsh).toMatch(/^closed 4004: session edger-1 is on host edge-1, which has no `ssh:` target/);
    const hostile = await openTerminal(`${web.ws}/v1/sessions/labber-1/terminal`, web.headers).catch((error: Error) => error.message);
    expect(hostile).toMatch(/^closed 4004: host lab-1 published a tmux socket path attach will not send over ssh/);
    expect(existsSync(PWNED)).toBe(false);
    const unknown = await openTerminal(`${web.ws}/v1/sessions/nobody-1/terminal`, web.headers).catch((error: Error) => error.message);
    expect(unknown).toBe("closed 4004: no such session");
  });

  it("gives every quoted word to the remote login shell unchanged, through real ssh", () => {
    const words = ["it's", "a'; touch /tmp/x; echo '", "$(id)", "`id`", "$HOME", "\\", '"q"', "a b", "new\nline", "*", "-t", "=trainer-1"];
    const run = spawnSync("ssh", ["-F", sshd.clientConfig, "--", `${sshd.user}@gpu-1`, `printf '%s\\0' ${words.map(posixShellWord).join(" ")}`], {
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.split("\0").slice(0, -1)).toEqual(words);
  });

  it("refuses a host without ssh:, a host not up, and a hostile published socket path, each with its exit code and hint", () => {
    const noSsh = runCli(["attach", "edger"], { home: build.home, env });
    expect(noSsh.exitCode).toBe(2);
    expect(noSsh.stderr).toContain("session edger-1 is on host edge-1, which has no `ssh:` target in swarm.yaml");
    expect(noSsh.stderr).toContain("under hosts.edge-1");
    const down = runCli(["attach", "ghost"], { home: build.home, env });
    expect(down.exitCode).toBe(3);
    expect(down.stderr).toContain("session ghost-1 is on host dead-1, which has never been started");
    expect(down.stderr).toContain("claude-agent up --host dead-1");
    const hostile = runCli(["attach", "labber"], { home: build.home, env });
    expect(hostile.exitCode).toBe(4);
    expect(hostile.stderr).toContain("host lab-1 published a tmux socket path attach will not send over ssh");
    expect(existsSync(PWNED)).toBe(false);
    for (const run of [noSsh, down, hostile]) expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("tells a script without a terminal how to read the remote pane", () => {
    const run = runCli(["attach", "trainer"], { home: build.home, env });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("attach needs a terminal");
    expect(run.stderr).toContain(`Session trainer-1 is on host gpu-1; from a script, read its pane with: ssh ${sshd.user}@gpu-1 `);
  });
});

/**
 * Issue 16 item 8: the web dashboard's terminal of a session on another host goes through that host's
 * daemon. Two simulated hosts (support.ts: two homes, two tmux servers, two daemons each serving the API on
 * a port of its own, one Redis) and no `ssh:` anywhere: from build-1's dashboard, gpu-1's session is shown
 * and taken over by relaying the WebSocket to gpu-1's daemon with a one-time ticket minted in Redis. Then
 * the ticket's rules against gpu-1's daemon directly, hostile published URLs, and TLS between the daemons
 * with a throwaway CA made by openssl. Nothing is mocked.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createRequire } from "node:module";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readApiRunFile } from "../../api/listen.js";
import { RELAY_HEADER, RelayTickets, type RelayGrant } from "../../api/web/relay-tickets.js";
import type { TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { makeTlsFiles, type TlsFiles } from "../security/redis-support.js";
import { daemonLog, startTwoHosts, type TwoHosts, viewerClients, webLogin } from "./support.js";

const require = createRequire(import.meta.url);
type Socket = import("node:events").EventEmitter & { close(): void; send(data: string): void };
const WebSocket = require("ws") as new (url: string, options: { headers: Record<string, string>; ca?: string }) => Socket;

const SWARM = `wrelay-${process.pid}`;
const PREFIX = `ca-${SWARM}`;

function yaml(swarm: string, api: string): string {
  return `swarm: ${swarm}
hosts:
  build-1: {}
  gpu-1: { labels: [gpu] }
  edge-1: {}
agents:
  - { name: api, runtime: shell, hosts: [build-1], timeout: 60 }
  - { name: trainer, runtime: shell, hosts: [gpu-1], timeout: 60 }
  - { name: edger, runtime: shell, hosts: [edge-1], timeout: 60 }
default_agent: api
api:
${api}`;
}

/** The pane as its own host's tmux server has it. */
function pane(home: string, session: string): string {
  return execFileSync("tmux", ["-S", join(home, "run", "tmux.sock"), "capture-pane", "-p", "-t", `=${session}:`], { encoding: "utf8" });
}

/** Clients attached to a host's tmux server besides its daemon's control-mode client: their flags. */
interface Terminal {
  readonly hello: Record<string, unknown>;
  /** Everything drawn so far, as text. */
  text(): string;
  /** The text frames after the hello, parsed. */
  readonly notes: Record<string, unknown>[];
  /** Resolves with `CODE: REASON` once the socket closes. */
  readonly closed: Promise<string>;
  send(data: string): void;
  close(): void;
}

/** A live terminal's WebSocket, as the page opens it: resolves on its hello frame; rejects with `closed CODE: REASON` or `refused: STATUS`. */
function openTerminal(url: string, headers: Record<string, string>, ca?: string): Promise<Terminal> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, ...(ca ? { ca } : {}) });
    let drawn = "";
    let hello: Record<string, unknown> | null = null;
    const notes: Record<string, unknown>[] = [];
    const closed = new Promise<string>((done) =>
      socket.on("close", (code: number, reason: Buffer) => {
        done(`${code}: ${reason.toString("utf8")}`);
        reject(new Error(`closed ${code}: ${reason.toString("utf8")}`));
      }),
    );
    // The screen comes in binary frames, the hello and notices in text frames.
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        drawn += data.toString("utf8");
        return;
      }
      if (hello !== null) {
        notes.push(JSON.parse(data.toString("utf8")) as Record<string, unknown>);
        return;
      }
      hello = JSON.parse(data.toString("utf8")) as Record<string, unknown>;
      resolve({ hello, notes, closed, text: () => drawn, send: (d) => socket.send(d), close: () => socket.close() });
    });
    socket.on("unexpected-response", (_req: unknown, res: { statusCode: number }) => reject(new Error(`refused: ${res.statusCode}`)));
    socket.on("error", reject);
  });
}

/**
 * Writes a host's heartbeat record as its daemon would (anyone with the swarm's Redis can): here, a host with no
 * daemon, on this machine unless `machine` says otherwise.
 */
async function writeRecord(redis: Redis, prefix: string, host: string, sessions: string[], api: unknown, machine = hostname()): Promise<void> {
  const beatAt = new Date().toISOString();
  const record = { host, version: "1.0.0", pid: 1, machine, home: `/srv/${host}`, tmuxSocket: `/srv/${host}/run/tmux.sock` };
  await redis.hset(`${prefix}:hosts`, host, JSON.stringify({ ...record, api, startedAt: beatAt, beatAt, leaseMs: 3_600_000, sessions }));
}

/** A TCP port that counts the connections it gets and drops each at once: what a relay would reach. */
async function countingPort(): Promise<{ server: TcpServer; port: number; connections: () => number }> {
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as { port: number }).port, connections: () => connections };
}

describe("the web terminal of another host's session, through that host's daemon", { timeout: 120_000 }, () => {
  let pair: TwoHosts;
  let build: TestSwarm;
  let gpu: TestSwarm;
  let redis: Redis;
  let tls: TlsFiles;

  beforeAll(async () => {
    pair = await startTwoHosts(yaml(SWARM, "  listen: 127.0.0.1:0\n"), "relay-pw");
    ({ build, gpu } = pair);
    redis = new Redis(pair.env.REDIS_URL!);
    tls = makeTlsFiles();
    const done = build.cli(["submit", "--agent", "trainer", "--task", "printf 'relayed-%s\\n' seen", "--wait"]);
    expect(done.exitCode, done.stderr).toBe(0);
  }, 200_000);

  afterAll(async () => {
    redis?.disconnect();
    await pair?.stop();
    if (tls) rmSync(tls.dir, { recursive: true, force: true });
  });

  it("publishes each daemon's API URL in its host record, as api.listen bound it", async () => {
    const records = await redis.hgetall(`${PREFIX}:hosts`);
    expect(JSON.parse(records["gpu-1"]!).api).toBe(readApiRunFile(gpu.home)!.url);
    expect(JSON.parse(records["build-1"]!).api).toBe(readApiRunFile(build.home)!.url);
  });

  it("shows each host's published API URL in status, from either home", () => {
    const urls = [readApiRunFile(build.home)!.url, readApiRunFile(gpu.home)!.url];
    for (const home of [build, gpu]) {
      const json = home.cli(["status", "--json"]);
      expect(json.exitCode, json.stderr).toBe(0);
      expect((JSON.parse(json.stdout) as { hosts: { name: string; api: string | null }[] }).hosts.map((h) => [h.name, h.api])).toEqual([
        ["build-1", urls[0]],
        ["gpu-1", urls[1]],
        ["edge-1", null], // never started: nothing published
      ]);
      const table = home.cli(["status"]).stdout;
      expect(table).toMatch(/HOST\s+STATE\s+HEARTBEAT\s+VERSION\s+CONFIG\s+MACHINE\s+PID\s+API\s+LABELS\s+SESSIONS/);
      expect(table).toMatch(new RegExp(`gpu-1\\s.*\\s${urls[1]!.replace(/[.]/g, "\\.")}\\s`));
    }
  });

  it("shows gpu-1's session to a viewer and a taker from build-1's dashboard: gpu-1's own tmux clients, one read-only, the taker's keys alone reach the pane", async () => {
    const web = await webLogin(build);
    const viewer = await openTerminal(`${web.ws}/v1/sessions/trainer-1/terminal`, web.headers);
    const writer = await openTerminal(`${web.ws}/v1/sessions/trainer-1/terminal?mode=write`, web.headers);
    try {
      expect(viewer.hello).toMatchObject({ type: "hello", session: "trainer-1", mode: "read" });
      expect(writer.hello).toMatchObject({ type: "hello", session: "trainer-1", mode: "write" });
      await waitFor("gpu-1's pane in both browser terminals", () => viewer.text().includes("relayed-seen") && writer.text().includes("relayed-seen"));
      // gpu-1's daemon attached both (no ssh exists here): two clients of its tmux server, the viewer's read-only.
      const clients = viewerClients(gpu.home);
      expect(clients).toHaveLength(2);
      expect(clients.filter((flags) => flags.includes("read-only"))).toHaveLength(1);
      expect(viewerClients(build.home)).toEqual([]);
      // gpu-1's daemon holds the take-over and tells its viewers, the relayed one included.
      await waitFor("the take-over told to the viewer", () => viewer.notes.find((n) => n.type === "takeover"));
      expect(viewer.notes.find((n) => n.type === "takeover")).toMatchObject({ session: "trainer-1", by: expect.stringMatching(/^web:/) });
      viewer.send("typed-relay-ro");
      writer.send("typed-relay-rw");
      await waitFor("the taker's keys in gpu-1's pane", () => pane(gpu.home, "trainer-1").includes("typed-relay-rw"));
      await waitFor("the viewer to see them too", () => viewer.text().includes("typed-relay-rw"));
      expect(pane(gpu.home, "trainer-1")).not.toContain("typed-relay-ro");
      // One person types at a time, whichever dashboard they come from: gpu-1 refuses a second taker, and its close code and reason come through.
      const second = await openTerminal(`${web.ws}/v1/sessions/trainer-1/terminal?mode=write`, web.headers).catch((error: Error) => error.message);
      expect(second).toMatch(/^closed 4009: taken over by web:/);
      writer.send("\x15"); // C-u: the prompt is left as it was
      await waitFor("the typed keys erased", () => !pane(gpu.home, "trainer-1").includes("typed-relay-rw"));
    } finally {
      viewer.close();
      writer.close();
    }
    await waitFor("both relayed tmux clients gone from gpu-1", () => viewerClients(gpu.home).length === 0);
    const accepted = await waitFor("both tickets accepted in gpu-1's log", () => {
      const lines = daemonLog(gpu, "web.relay-accepted");
      return lines.length >= 2 && lines;
    });
    expect(accepted.map((line) => line.mode).sort()).toEqual(expect.arrayContaining(["read", "write"]));
    expect(accepted.every((line) => line.from === "build-1")).toBe(true);
    // Each ticket was spent by its use: none is left in Redis.
    expect(await redis.keys(`${PREFIX}:web:relay:*`)).toEqual([]);
  });

  it("closes the browser's socket with gpu-1's code and reason when gpu-1's side ends", async () => {
    const web = await webLogin(build);
    const viewer = await openTerminal(`${web.ws}/v1/sessions/trainer-1/terminal`, web.headers);
    await waitFor("gpu-1's pane", () => viewer.text().includes("relayed-seen"));
    // The viewer's tmux client on gpu-1 detached from there: gpu-1's daemon closes its socket (1000 "detached"), and the relay the browser's.
    const socket = join(gpu.home, "run", "tmux.sock");
    const tty = execFileSync("tmux", ["-S", socket, "list-clients", "-F", "#{client_tty} #{client_flags}"], { encoding: "utf8" })
      .split("\n")
      .find((line) => line !== "" && !line.includes("control-mode"))!
      .split(" ")[0]!;
    execFileSync("tmux", ["-S", socket, "detach-client", "-t", tty]);
    expect(await viewer.closed).toBe("1000: detached");
    expect(viewerClients(gpu.home)).toEqual([]);
  });

  describe("a relay ticket, presented to gpu-1's daemon directly", () => {
    const tickets = () => new RelayTickets(redis, PREFIX);
    const grant = (over: Partial<RelayGrant> = {}): RelayGrant => ({
      session: "trainer-1",
      mode: "read",
      host: "gpu-1",
      from: "build-1",
      actor: "web:test",
      ...over,
    });
    const gpuWs = () => readApiRunFile(gpu.home)!.url.replace("http", "ws");
    const use = (ticket: string, path = "/v1/sessions/trainer-1/terminal") => openTerminal(`${gpuWs()}${path}`, { [RELAY_HEADER]: ticket });
    const refusal = (opening: Promise<Terminal>) =>
      opening.then(
        () => "opened",
        (error: Error) => error.message,
      );

    it("opens its session once, read-only: keys sent never reach the pane, and a second use is refused", async () => {
      const ticket = await tickets().mint(grant());
      const term = await use(ticket);
      try {
        expect(term.hello).toMatchObject({ type: "hello", session: "trainer-1", mode: "read" });
        await waitFor("the pane through the ticket", () => term.text().includes("relayed-seen"));
        term.send("typed-ticket-ro");
        expect(await refusal(use(ticket))).toBe("refused: 401");
      } finally {
        term.close();
      }
      execFileSync("tmux", ["-S", join(gpu.home, "run", "tmux.sock"), "send-keys", "-t", "=trainer-1:", "-l", "after-ticket"]);
      await waitFor("the pane's shell to echo keys sent afterwards", () => pane(gpu.home, "trainer-1").includes("after-ticket"));
      expect(pane(gpu.home, "trainer-1")).not.toContain("typed-ticket");
      execFileSync("tmux", ["-S", join(gpu.home, "run", "tmux.sock"), "send-keys", "-t", "=trainer-1:", "C-u"]);
    });

    it("is refused once expired", async () => {
      const ticket = await tickets().mint(grant(), 200);
      await new Promise((r) => setTimeout(r, 500));
      expect(await refusal(use(ticket))).toBe("refused: 401");
    });

    it("is refused for another session, another mode or another host, and is spent by the attempt", async () => {
      const otherSession = await tickets().mint(grant({ session: "api-1" }));
      expect(await refusal(use(otherSession))).toBe("refused: 401");
      expect(await refusal(use(otherSession, "/v1/sessions/api-1/terminal"))).toBe("refused: 401");
      const readOnly = await tickets().mint(grant());
      expect(await refusal(use(readOnly, "/v1/sessions/trainer-1/terminal?mode=write"))).toBe("refused: 401");
      expect(await refusal(use(readOnly))).toBe("refused: 401");
      const forBuild = await tickets().mint(grant({ host: "build-1" }));
      expect(await refusal(use(forBuild))).toBe("refused: 401");
      expect(await refusal(use("not-a-ticket"))).toBe("refused: 401");
      // The daemon's log is a write stream: its lines may land just after the answers.
      await waitFor("each refusal in gpu-1's log", () => daemonLog(gpu, "web.relay-refused").length >= 6);
    });

    it("attaches only a session of its own tmux server: a relayed socket is never relayed on", async () => {
      // A ticket rightly for gpu-1 naming build-1's session: gpu-1 must not relay it back (a loop), nor use ssh.
      const ticket = await tickets().mint(grant({ session: "api-1" }));
      expect(await refusal(use(ticket, "/v1/sessions/api-1/terminal"))).toBe("closed 4004: session api-1 is not on this host's tmux server");
    });
  });

  it("ignores a hostile published URL: nothing connects to it, and a host without ssh: is refused with the reason", async () => {
    const target = await countingPort();
    const web = await webLogin(build);
    const hostile = [
      `http://127.0.0.1:${target.port}/x`,
      `http://user:pw@127.0.0.1:${target.port}`,
      `http://127.0.0.1:${target.port}?a=b`,
      `http://127.0.0.1:${target.port}#x`,
      `ftp://127.0.0.1:${target.port}`,
      `http://0x7f.1:${target.port}`,
      `http://127.0.0.1:${target.port}\r\nX-Evil: 1`,
      `javascript:alert(1)//127.0.0.1:${target.port}`,
      target.port,
    ];
    try {
      for (const api of hostile) {
        await writeRecord(redis, PREFIX, "edge-1", ["edger-1"], api);
        const got = await openTerminal(`${web.ws}/v1/sessions/edger-1/terminal`, web.headers).catch((error: Error) => error.message);
        expect(got, String(api)).toMatch(/^closed 4004: session edger-1 is on host edge-1, which has no `ssh:` target/);
      }
      expect(target.connections()).toBe(0);
      // The same port published plainly is connected to (so the count above would have seen a hostile one used), and the failed relay is the reason.
      await writeRecord(redis, PREFIX, "edge-1", ["edger-1"], `http://127.0.0.1:${target.port}`);
      const plain = await openTerminal(`${web.ws}/v1/sessions/edger-1/terminal`, web.headers).catch((error: Error) => error.message);
      expect(plain).toMatch(new RegExp(`^closed 4004: cannot reach host edge-1's API at http://127\\.0\\.0\\.1:${target.port}`));
      expect(target.connections()).toBe(1);
      // A loopback URL of another machine would reach this machine's own port: not used.
      await writeRecord(redis, PREFIX, "edge-1", ["edger-1"], `http://127.0.0.1:${target.port}`, "elsewhere");
      const elsewhere = await openTerminal(`${web.ws}/v1/sessions/edger-1/terminal`, web.headers).catch((error: Error) => error.message);
      expect(elsewhere).toMatch(/^closed 4004: session edger-1 is on host edge-1, which has no `ssh:` target/);
      expect(target.connections()).toBe(1);
    } finally {
      await redis.hdel(`${PREFIX}:hosts`, "edge-1");
      target.server.close();
    }
  });

  it("refuses, with the reason, an https API whose certificate no configured CA signed", async () => {
    // An https server with a certificate of the test's own CA, which build-1 (no api.peer_ca) must not trust.
    const server: HttpsServer = createHttpsServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) });
    let requests = 0;
    server.on("request", () => (requests += 1));
    server.on("upgrade", () => (requests += 1));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await writeRecord(redis, PREFIX, "edge-1", ["edger-1"], `https://127.0.0.1:${port}`);
      const web = await webLogin(build);
      const got = await openTerminal(`${web.ws}/v1/sessions/edger-1/terminal`, web.headers).catch((error: Error) => error.message);
      // The server sends its own certificate, signed by a CA build-1 was not told of: Node cannot verify it.
      expect(got).toBe("closed 4004: host edge-1's API certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE); set api.peer_ca to the CA that signed it");
      expect(requests).toBe(0);
      // The ticket minted for it was withdrawn when the relay failed.
      expect(await redis.keys(`${PREFIX}:web:relay:*`)).toEqual([]);
    } finally {
      await redis.hdel(`${PREFIX}:hosts`, "edge-1");
      server.close();
    }
  });

  // Last: it stops build-1's daemon.
  it("closes its relays as build-1's daemon stops: the browser is told why, and gpu-1's tmux client for it goes", async () => {
    const web = await webLogin(build);
    const viewer = await openTerminal(`${web.ws}/v1/sessions/trainer-1/terminal`, web.headers);
    await waitFor("gpu-1's pane", () => viewer.text().includes("relayed-seen"));
    expect(viewerClients(gpu.home)).toHaveLength(1);
    const daemon = build.daemon!;
    const exited = new Promise((resolve) => daemon.once("exit", resolve));
    daemon.kill("SIGTERM");
    expect(await viewer.closed).toBe("1001: the daemon is stopping");
    await exited;
    await waitFor("the relayed tmux client gone from gpu-1", () => viewerClients(gpu.home).length === 0);
  });
});

describe("the relay between daemons serving their API over TLS", { timeout: 120_000 }, () => {
  let pair: TwoHosts;
  let tls: TlsFiles;

  beforeAll(async () => {
    tls = makeTlsFiles();
    const api = `  listen: 127.0.0.1:0\n  tls: { cert: ${JSON.stringify(tls.cert)}, key: ${JSON.stringify(tls.key)} }\n  peer_ca: ${JSON.stringify(tls.ca)}\n`;
    pair = await startTwoHosts(yaml(`${SWARM}-tls`, api), "relay-tls-pw");
    const done = pair.build.cli(["submit", "--agent", "trainer", "--task", "printf 'tls-%s\\n' seen", "--wait"]);
    expect(done.exitCode, done.stderr).toBe(0);
  }, 200_000);

  afterAll(async () => {
    await pair?.stop();
    if (tls) rmSync(tls.dir, { recursive: true, force: true });
  });

  it("verifies gpu-1's certificate against api.peer_ca and shows its session from build-1", async () => {
    const run = readApiRunFile(pair.build.home)!;
    expect(run.url).toMatch(/^https:/);
    const token = readFileSync(join(pair.build.home, "api.token"), "utf8").trim();
    const term = await openTerminal(
      `${run.url.replace("https", "wss")}/v1/sessions/trainer-1/terminal`,
      { authorization: `Bearer ${token}` },
      readFileSync(tls.ca, "utf8"),
    );
    try {
      expect(term.hello).toMatchObject({ type: "hello", session: "trainer-1", mode: "read" });
      await waitFor("gpu-1's pane over the TLS relay", () => term.text().includes("tls-seen"));
      expect(viewerClients(pair.gpu.home)).toHaveLength(1);
    } finally {
      term.close();
    }
    const opened = await waitFor("the relay in build-1's log", () => daemonLog(pair.build, "web.relay-opened").at(-1));
    expect(opened).toMatchObject({ host: "gpu-1", session: "trainer-1" });
    await waitFor("the relayed tmux client gone from gpu-1", () => viewerClients(pair.gpu.home).length === 0);
  });
});

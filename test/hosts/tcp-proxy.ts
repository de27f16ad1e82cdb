/**
 * A TCP proxy on loopback for the partition tests: a simulated host reaches
 * Redis through a proxy of its own, and the test cuts that host's link.
 *
 * Two ways to cut, as a real network fails in two ways:
 * - `reset`, a pulled cable that is noticed: every open connection is reset
 *   (RST) at once and every new one is reset as soon as it is accepted, so a
 *   client sees ECONNRESET and retries.
 * - `blackhole`, a silent partition (a switch or a firewall dropping packets):
 *   no connection is closed, and no byte passes either way. Open connections
 *   stay open with their bytes held; a new connection is accepted (the kernel
 *   completes the handshake of a listening socket anyway) and gets no answer,
 *   and Redis never sees it. `restore()` then delivers every held byte in
 *   order and connects the held connections, as TCP does once a partition
 *   shorter than its retransmission limit (about 15 minutes on Linux) heals.
 *
 * A blackhole may hold only the replies (`only: "replies"`): requests reach
 * the target and are carried out, their replies are held. Followed by a
 * reset, that is a reply lost with its connection after the command ran,
 * which a client that resends unanswered commands on reconnect (ioredis'
 * autoResendUnfulfilledCommands, on by default) sends a second time.
 *
 * A blackhole may instead hold only the connections made after it (`only:
 * "new"`): those open before it go on untouched. That is a client whose
 * earlier connections (a subscription) still work while every new one it
 * opens hangs, as behind a firewall that drops new flows.
 *
 * Nothing is dropped silently: a connection is either reset or held whole.
 *
 * startTcpProxy runs it in a process of its own: a proxy in the test's process would stop forwarding
 * whenever that process blocks (a CLI run with spawnSync through the link waited on itself until it timed out).
 */
import { fork } from "node:child_process";
import { createServer, connect as connectTcp, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";

export type CutMode = "reset" | "blackhole";
type Direction = "toTarget" | "toClient";

export type ProxyState = "open" | CutMode | "closed";
export interface CutOptions {
  readonly mode?: CutMode;
  readonly only?: "replies" | "new";
}

export interface TcpProxy {
  /** Always loopback. */
  readonly host: string;
  readonly port: number;
  /** `redis://[userinfo@]host:port` of the proxy. */
  url(userinfo?: string): string;
  /** `open`, the mode of a cut under way, or `closed`. */
  readonly state: ProxyState;
  /** Connections open through the proxy now (held ones included). */
  connections(): Promise<number>;
  /**
   * Cuts the link (default mode: `reset`); resolves once the cut is in place. A second cut changes the mode; a
   * reset after a blackhole drops what it held. `only: "replies"` (blackhole only): bytes to the target pass, the
   * target's replies are held. `only: "new"` (blackhole only): connections open at the cut pass both ways, newer
   * ones are held.
   */
  cut(options?: CutOptions): Promise<void>;
  /** Lets bytes through again: held bytes are delivered, held connections reach the target. */
  restore(): Promise<void>;
  /** Closes the proxy and every connection through it, and ends its process. Idempotent. */
  close(): Promise<void>;
}

/** The proxy as its own process runs it: the same, synchronous. */
export interface LocalTcpProxy {
  readonly port: number;
  readonly state: ProxyState;
  readonly connections: number;
  cut(options?: CutOptions): void;
  restore(): void;
  close(): Promise<void>;
}

/** One client connection and its connection to the target (none yet while a blackhole holds it). */
class Link {
  upstream: Socket | null = null;
  /** Bytes held by a blackhole, per direction, in order. */
  private readonly toTarget: Buffer[] = [];
  private readonly toClient: Buffer[] = [];
  private ended = false;
  /** Open when a blackhole `only: "new"` began: it passes while that blackhole lasts. */
  spared = false;

  constructor(
    readonly client: Socket,
    private readonly target: { host: string; port: number },
    private readonly passing: (direction: Direction, link: Link) => boolean,
    private readonly onEnd: (link: Link) => void,
  ) {
    client.setNoDelay(true);
    client.on("data", (chunk: Buffer) => {
      if (this.passing("toTarget", this) && this.upstream) this.upstream.write(chunk);
      else this.toTarget.push(chunk);
    });
    client.on("error", () => this.end());
    client.on("close", () => this.end());
    if (passing("toTarget", this)) this.open();
  }

  /** Connects to the target (once); bytes written before it connects are buffered by the socket. */
  open(): void {
    if (this.upstream || this.ended) return;
    const upstream = connectTcp({ host: this.target.host, port: this.target.port });
    upstream.setNoDelay(true);
    upstream.on("data", (chunk: Buffer) => {
      if (this.passing("toClient", this)) this.client.write(chunk);
      else this.toClient.push(chunk);
    });
    upstream.on("error", () => this.end());
    upstream.on("close", () => this.end());
    this.upstream = upstream;
  }

  /** After a blackhole: connects if it was held unconnected, then delivers what was held, in order. */
  flush(): void {
    this.open();
    if (this.ended) return;
    for (const chunk of this.toTarget.splice(0)) this.upstream!.write(chunk);
    for (const chunk of this.toClient.splice(0)) this.client.write(chunk);
  }

  /** A reset: RST to the client, and the target's side closed (Redis drops that client). */
  reset(): void {
    if (this.ended) return;
    this.ended = true;
    this.client.resetAndDestroy();
    this.upstream?.destroy();
    this.onEnd(this);
  }

  /** Either side went away: so does the other. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.client.destroy();
    this.upstream?.destroy();
    this.onEnd(this);
  }
}

/**
 * The proxy itself, in this process, listening on a free loopback port and forwarding to `target`.
 * Tests use startTcpProxy (a process of its own); this is what that process runs.
 */
export async function serveTcpProxy(target: { host: string; port: number }): Promise<LocalTcpProxy> {
  let state: ProxyState = "open";
  let only: CutOptions["only"];
  const links = new Set<Link>();
  const passing = (direction: Direction, link: Link): boolean =>
    state === "open" || (state === "blackhole" && ((only === "replies" && direction === "toTarget") || (only === "new" && link.spared)));
  const server: Server = createServer((client) => {
    if (state === "reset" || state === "closed") {
      client.on("error", () => undefined);
      client.resetAndDestroy();
      return;
    }
    links.add(new Link(client, target, passing, (link) => links.delete(link)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  let closing: Promise<void> | null = null;
  return {
    port,
    get state() {
      return state;
    },
    get connections() {
      return links.size;
    },
    cut(options = {}) {
      if (state === "closed") throw new Error("cut: the proxy is closed");
      const mode = options.mode ?? "reset";
      if (options.only && mode !== "blackhole") throw new Error(`cut: only "${options.only}" is a kind of blackhole`);
      state = mode;
      only = options.only;
      for (const link of links) link.spared = only === "new";
      if (state === "reset") for (const link of [...links]) link.reset();
    },
    restore() {
      if (state === "closed") throw new Error("restore: the proxy is closed");
      state = "open";
      for (const link of [...links]) link.flush();
    },
    close() {
      closing ??= (async () => {
        state = "closed";
        for (const link of [...links]) link.end();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}

type Op = { op: "cut"; options: CutOptions } | { op: "restore" } | { op: "close" } | { op: "connections" };
type Request = Op & { id: number };
type Reply = { id: number; state: ProxyState; connections: number } | { id: number; error: string };

/**
 * A proxy in a process of its own, forwarding to `target` (a loopback Redis). Its own process, so that what
 * blocks the test's process (a CLI run with spawnSync, a long synchronous loop) never stalls a host's link.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const child = fork(fileURLToPath(import.meta.url), ["--serve-tcp-proxy", target.host, String(target.port)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message: { port: number }) => resolve(message.port));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the TCP proxy's process exited (${code}) before it listened`)));
  });
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve())));
  const waiting = new Map<number, (reply: Reply) => void>();
  child.on("message", (reply: Reply) => waiting.get(reply.id)?.(reply));
  let next = 0;
  let state: ProxyState = "open";
  const ask = (request: Op): Promise<number> =>
    new Promise((resolve, reject) => {
      if (child.exitCode !== null || !child.connected) return reject(new Error("the TCP proxy's process is gone"));
      const id = ++next;
      waiting.set(id, (reply) => {
        waiting.delete(id);
        if ("error" in reply) return reject(new Error(reply.error));
        state = reply.state;
        resolve(reply.connections);
      });
      child.send({ ...request, id });
    });
  let closing: Promise<void> | null = null;
  return {
    host: "127.0.0.1",
    port,
    url: (userinfo) => `redis://${userinfo ? `${userinfo}@` : ""}127.0.0.1:${port}`,
    get state() {
      return state;
    },
    connections: () => ask({ op: "connections" }),
    cut: async (options = {}) => void (await ask({ op: "cut", options })),
    restore: async () => void (await ask({ op: "restore" })),
    close() {
      closing ??= (async () => {
        await ask({ op: "close" }).catch(() => undefined);
        state = "closed";
        child.disconnect();
        await exited;
      })();
      return closing;
    },
  };
}

/** The proxy's process: serves, answers the test's requests, and ends with its parent. */
async function serveChild(host: string, port: number): Promise<void> {
  const proxy = await serveTcpProxy({ host, port });
  const send = (reply: Reply | { port: number }): void => void process.send?.(reply);
  process.on("message", (request: Request) => {
    void (async () => {
      try {
        if (request.op === "cut") proxy.cut(request.options);
        else if (request.op === "restore") proxy.restore();
        else if (request.op === "close") await proxy.close();
        send({ id: request.id, state: proxy.state, connections: proxy.connections });
      } catch (error) {
        send({ id: request.id, error: (error as Error).message });
      }
    })();
  });
  // The test process ended (or closed the proxy): so does this one.
  process.on("disconnect", () => void proxy.close().then(() => process.exit(0)));
  send({ port: proxy.port });
}

if (process.argv[2] === "--serve-tcp-proxy") await serveChild(process.argv[3]!, Number(process.argv[4]));

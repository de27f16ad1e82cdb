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
 * Nothing is dropped silently: a connection is either reset or held whole.
 */
import { createServer, connect as connectTcp, type Server, type Socket } from "node:net";

export type CutMode = "reset" | "blackhole";
type Direction = "toTarget" | "toClient";

export interface TcpProxy {
  /** Always loopback. */
  readonly host: string;
  readonly port: number;
  /** `redis://[userinfo@]host:port` of the proxy. */
  url(userinfo?: string): string;
  /** `open`, the mode of a cut under way, or `closed`. */
  readonly state: "open" | CutMode | "closed";
  /** Connections open through the proxy now (held ones included). */
  readonly connections: number;
  /**
   * Cuts the link (default mode: `reset`). A second cut changes the mode; a reset after a blackhole drops
   * what it held. `only: "replies"` (blackhole only): bytes to the target pass, the target's replies are held.
   */
  cut(options?: { mode?: CutMode; only?: "replies" }): void;
  /** Lets bytes through again: held bytes are delivered, held connections reach the target. */
  restore(): void;
  /** Closes the proxy and every connection through it. Idempotent. */
  close(): Promise<void>;
}

/** One client connection and its connection to the target (none yet while a blackhole holds it). */
class Link {
  upstream: Socket | null = null;
  /** Bytes held by a blackhole, per direction, in order. */
  private readonly toTarget: Buffer[] = [];
  private readonly toClient: Buffer[] = [];
  private ended = false;

  constructor(
    readonly client: Socket,
    private readonly target: { host: string; port: number },
    private readonly passing: (direction: Direction) => boolean,
    private readonly onEnd: (link: Link) => void,
  ) {
    client.setNoDelay(true);
    client.on("data", (chunk: Buffer) => {
      if (this.passing("toTarget") && this.upstream) this.upstream.write(chunk);
      else this.toTarget.push(chunk);
    });
    client.on("error", () => this.end());
    client.on("close", () => this.end());
    if (passing("toTarget")) this.open();
  }

  /** Connects to the target (once); bytes written before it connects are buffered by the socket. */
  open(): void {
    if (this.upstream || this.ended) return;
    const upstream = connectTcp({ host: this.target.host, port: this.target.port });
    upstream.setNoDelay(true);
    upstream.on("data", (chunk: Buffer) => {
      if (this.passing("toClient")) this.client.write(chunk);
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

/** A proxy listening on a free loopback port, forwarding to `target` (a loopback Redis). */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let state: "open" | CutMode | "closed" = "open";
  let repliesOnly = false;
  const links = new Set<Link>();
  const passing = (direction: Direction): boolean => state === "open" || (state === "blackhole" && repliesOnly && direction === "toTarget");
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
    host: "127.0.0.1",
    port,
    url: (userinfo) => `redis://${userinfo ? `${userinfo}@` : ""}127.0.0.1:${port}`,
    get state() {
      return state;
    },
    get connections() {
      return links.size;
    },
    cut(options = {}) {
      if (state === "closed") throw new Error("cut: the proxy is closed");
      const mode = options.mode ?? "reset";
      if (options.only === "replies" && mode !== "blackhole") throw new Error('cut: only "replies" is a kind of blackhole');
      state = mode;
      repliesOnly = options.only === "replies";
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

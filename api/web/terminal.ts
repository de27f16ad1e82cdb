/**
 * Live terminals for the browser: one pty per viewer running a read-only
 * `tmux attach -r` (read-only and ignore-size: the viewer can neither type
 * into the pane nor change its size for anyone) on the swarm's private tmux
 * server. The pty is sized to the agent's window, so tmux draws it as it is;
 * nothing a viewer sends is written to the pty (a read-only client still
 * obeys its detach and switch-client keys, which would let a viewer wander
 * to another session). The pty is killed when its socket closes, and every
 * pty when the API closes.
 *
 * A viewer who takes the session over gets `tmux attach -f ignore-size`
 * instead (writable, still never resizing the pane): what they type goes to
 * the pty, one person at a time (takeover.ts holds the session's dispatches
 * and tells the other viewers), and closing the socket hands it back.
 *
 * A session of another host of the swarm is reached through that host's
 * daemon when it publishes its API's URL: the socket is relayed to the same
 * endpoint there (terminal-relay.ts, with a one-time relay ticket), and that
 * daemon attaches its own tmux client, holds the session while it is taken
 * over, and tells its viewers. When the host publishes no URL, or the relay
 * cannot connect, it is reached the way `attach` reaches it: the pty runs
 * `ssh -t TARGET -- tmux -S SOCKET attach-session …` to that host's own tmux
 * server (its `ssh:` target and the socket its daemon publishes;
 * core/hosts/remote-attach.ts checks and quotes every word), in BatchMode,
 * with the same modes. The daemon's user needs a key for it, and
 * CLAUDE_AGENT_SSH_CONFIG in the daemon's environment names an ssh_config.
 * A relayed socket (one this daemon accepted a ticket for) is only ever
 * attached here: it is never relayed or sent over ssh again.
 */
import type { WebSocket } from "@fastify/websocket";
import { execa } from "execa";
import { spawn, type IPty } from "node-pty";
import { remoteAttachArgs, remoteWindowSizeArgs, SSH_CONFIG_ENV } from "../../core/index.js";
import type { TakeOvers } from "./takeover.js";
import type { TerminalRelays } from "./terminal-relay.js";

/** A session on another host: its ssh target and the tmux socket that host's daemon publishes. */
export interface RemoteSession {
  readonly session: string;
  readonly host: string;
  readonly ssh: string;
  readonly tmuxSocket: string;
}

/** How a session of another host can be reached: through its daemon (`api`), over ssh, or both. */
export interface RemoteRoute {
  readonly session: string;
  readonly host: string;
  /** The URL its daemon publishes for its API, checked (parseApiUrl) and reachable from here; null: none. */
  readonly api: string | null;
  /** Its ssh target and published tmux socket, or why `attach` could not go over ssh. */
  readonly ssh: RemoteSession | { reason: string };
}

/** Where a session this daemon's tmux server does not have lives: another host's (`reason`: nowhere a viewer can reach, and why). */
export type FindRemote = (session: string) => Promise<RemoteRoute | { reason: string }>;

export interface AttachOptions {
  /** Who opened the terminal (the browser session's or token's name), for a relay ticket; default: the writer, or "unknown". */
  readonly actor?: string;
  /** A socket relayed from another host's daemon: only this daemon's own tmux server may have the session. */
  readonly localOnly?: boolean;
}

/** How long the remote window-size question may take (an ssh connection): a host that does not answer is refused, not waited on. */
const REMOTE_SIZE_TIMEOUT_MS = 15_000;

/** A viewer that falls this far behind is closed (it can reconnect): the daemon never buffers without bound. */
const MAX_BUFFERED = 4 * 1024 * 1024;

export class TerminalViewers {
  private readonly ptys = new Set<IPty>();
  private closed = false;

  constructor(
    private readonly tmuxSocket: string,
    private readonly takeovers: TakeOvers,
    private readonly findRemote: FindRemote = async (session) => ({ reason: `no session ${session}` }),
    private readonly relays: TerminalRelays | null = null,
  ) {}

  /** Ptys and relays open now (tests count them). */
  get count(): number {
    return this.ptys.size + (this.relays?.count ?? 0);
  }

  /** Attaches `socket` to `session`, read-only, or writable for `writer` (the person taking it over). */
  async attach(socket: WebSocket, session: string, writer: string | null = null, options: AttachOptions = {}): Promise<void> {
    const found = await this.find(socket, session, writer, options);
    if (found === "relayed") return;
    if ("reason" in found) return socket.close(4004, closeReason(found.reason));
    const { size, program, args } = found;
    if (this.closed || socket.readyState !== socket.OPEN) return;
    if (writer !== null && !(await this.takeovers.begin(session, writer))) {
      return socket.close(4009, `taken over by ${this.takeovers.writer(session)?.actor ?? "someone else"}`);
    }
    // tmux draws its status line below the window: one row more than the window.
    let pty: IPty;
    try {
      pty = spawn(program, args, {
        name: "xterm-256color",
        cols: size.cols,
        rows: size.rows + 1,
        env: cleanEnv(),
        encoding: null,
      });
    } catch (error) {
      // A take-over that never got its terminal must not hold the session (its renewals would go on).
      if (writer !== null) await this.takeovers.end(session);
      throw error;
    }
    this.ptys.add(pty);
    let done = false;
    const finish = (code: number, reason: string): void => {
      if (done) return;
      done = true;
      this.ptys.delete(pty);
      data.dispose();
      exit.dispose();
      try {
        pty.kill();
      } catch {
        // already gone
      }
      if (socket.readyState === socket.OPEN) socket.close(code, reason);
      if (writer !== null) void this.takeovers.end(session);
    };
    socket.send(JSON.stringify({ type: "hello", session, cols: size.cols, rows: size.rows + 1, mode: writer === null ? "read" : "write" }));
    this.takeovers.watch(session, socket);
    // Only the person who took the session over types; a read-only viewer's frames are dropped.
    if (writer !== null) socket.on("message", (data: Buffer) => pty.write(data.toString("utf8")));
    const data = pty.onData((chunk) => {
      if (socket.bufferedAmount > MAX_BUFFERED) return finish(4008, "viewer too slow; reconnect");
      socket.send(chunk as unknown as Buffer, { binary: true });
    });
    const exit = pty.onExit(() => finish(1000, "detached"));
    socket.on("close", () => finish(1000, "closed"));
    // Closed while the take-over was being set up: its close event has passed, so nothing else would hand the session back.
    if (socket.readyState !== socket.OPEN) finish(1000, "closed");
    socket.on("error", () => finish(1011, "socket error"));
  }

  /** Kills every pty and closes every relay; idempotent. */
  close(): void {
    this.closed = true;
    this.relays?.close();
    for (const pty of this.ptys) {
      try {
        pty.kill();
      } catch {
        // already gone
      }
    }
    this.ptys.clear();
  }

  /**
   * The session's window size and the tmux client to run for it: on this daemon's tmux server, or over ssh on
   * its host's; "relayed" when the socket now goes through its host's daemon (the relay owns it).
   */
  private async find(
    socket: WebSocket,
    session: string,
    writer: string | null,
    options: AttachOptions,
  ): Promise<{ size: Size; program: string; args: string[] } | { reason: string } | "relayed"> {
    const local = windowSize(await execa("tmux", ["-S", this.tmuxSocket, "display-message", "-p", "-t", `=${session}:`, SIZE_FORMAT], QUIET));
    if (local) {
      const mode = writer === null ? ["-r"] : ["-f", "ignore-size"];
      return { size: local, program: "tmux", args: ["-S", this.tmuxSocket, "attach-session", ...mode, "-t", `=${session}`] };
    }
    // Relayed here by another daemon that believed the session ours: going on from here could only loop.
    if (options.localOnly) return { reason: `session ${session} is not on this host's tmux server` };
    let route: RemoteRoute | { reason: string };
    try {
      route = await this.findRemote(session);
    } catch (error) {
      return { reason: (error as Error).message };
    }
    if ("reason" in route) return route;
    if (route.api !== null && this.relays !== null && !this.closed) {
      const target = {
        session,
        host: route.host,
        url: route.api,
        mode: writer === null ? "read" : "write",
        actor: options.actor ?? writer ?? "unknown",
      } as const;
      const upstream = await this.relays.connect(target);
      if (!("reason" in upstream)) {
        this.relays.pipe(socket, upstream, target);
        return "relayed";
      }
      // No ssh to fall back on: the relay's failure is the reason worth telling.
      if ("reason" in route.ssh) return upstream;
    }
    const remote = route.ssh;
    if ("reason" in remote) return remote;
    const config = process.env[SSH_CONFIG_ENV] || undefined;
    try {
      const asked = await execa("ssh", remoteWindowSizeArgs(remote, config), { ...QUIET, env: cleanEnv(), extendEnv: false, timeout: REMOTE_SIZE_TIMEOUT_MS });
      const size = windowSize(asked);
      if (!size) return { reason: `host ${remote.host} did not show session ${session} over ssh: ${asked.stderr.trim().split("\n").at(-1) ?? ""}` };
      const target = { ...remote, readOnly: writer === null, ignoreSize: true };
      return { size, program: "ssh", args: remoteAttachArgs(target, config, { batch: true }) };
    } catch (error) {
      // A checked word refused (a hostile published socket path): said, never sent.
      return { reason: (error as Error).message };
    }
  }
}

type Size = { cols: number; rows: number };

const SIZE_FORMAT = "#{window_width} #{window_height}";
const QUIET = { reject: false, stdin: "ignore" } as const;

function windowSize(result: { exitCode?: number; stdout: string }): Size | null {
  const match = /^(\d+) (\d+)$/.exec(result.stdout.trim());
  return result.exitCode === 0 && match ? { cols: Number(match[1]), rows: Number(match[2]) } : null;
}

/** A WebSocket close reason is at most 123 bytes of UTF-8. */
function closeReason(text: string): string {
  const bytes = Buffer.from(text.replace(/\s+/g, " "), "utf8");
  return bytes.length <= 123
    ? bytes.toString("utf8")
    : `${bytes
        .subarray(0, 120)
        .toString("utf8")
        .replace(/\uFFFD$/, "")}…`;
}

/** The tmux client's environment: none of the daemon's (a `TMUX` would make it refuse to nest; node-pty turns undefined values into "undefined"). */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = { TERM: "xterm-256color", LANG: process.env.LANG || "C.UTF-8" };
  // SSH_AUTH_SOCK: a remote session's ssh may take its key from the daemon user's agent.
  for (const name of ["PATH", "HOME", "USER", "LC_ALL", "SSH_AUTH_SOCK"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

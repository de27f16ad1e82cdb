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
 */
import type { WebSocket } from "@fastify/websocket";
import { execa } from "execa";
import { spawn, type IPty } from "node-pty";
import type { TakeOvers } from "./takeover.js";

/** A viewer that falls this far behind is closed (it can reconnect): the daemon never buffers without bound. */
const MAX_BUFFERED = 4 * 1024 * 1024;

export class TerminalViewers {
  private readonly ptys = new Set<IPty>();
  private closed = false;

  constructor(
    private readonly tmuxSocket: string,
    private readonly takeovers: TakeOvers,
  ) {}

  /** Ptys open now (tests count them). */
  get count(): number {
    return this.ptys.size;
  }

  /** Attaches `socket` to `session`, read-only, or writable for `writer` (the person taking it over). */
  async attach(socket: WebSocket, session: string, writer: string | null = null): Promise<void> {
    const size = await this.windowSize(session);
    if (!size) return socket.close(4004, `no session ${session}`);
    if (this.closed || socket.readyState !== socket.OPEN) return;
    if (writer !== null && !(await this.takeovers.begin(session, writer))) {
      return socket.close(4009, `taken over by ${this.takeovers.writer(session)?.actor ?? "someone else"}`);
    }
    const mode = writer === null ? ["-r"] : ["-f", "ignore-size"];
    // tmux draws its status line below the window: one row more than the window.
    let pty: IPty;
    try {
      pty = spawn("tmux", ["-S", this.tmuxSocket, "attach-session", ...mode, "-t", `=${session}`], {
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

  /** Kills every pty; idempotent. */
  close(): void {
    this.closed = true;
    for (const pty of this.ptys) {
      try {
        pty.kill();
      } catch {
        // already gone
      }
    }
    this.ptys.clear();
  }

  private async windowSize(session: string): Promise<{ cols: number; rows: number } | null> {
    const result = await execa("tmux", ["-S", this.tmuxSocket, "display-message", "-p", "-t", `=${session}:`, "#{window_width} #{window_height}"], {
      reject: false,
      stdin: "ignore",
    });
    const match = /^(\d+) (\d+)$/.exec(result.stdout.trim());
    return result.exitCode === 0 && match ? { cols: Number(match[1]), rows: Number(match[2]) } : null;
  }
}

/** The tmux client's environment: none of the daemon's (a `TMUX` would make it refuse to nest; node-pty turns undefined values into "undefined"). */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = { TERM: "xterm-256color", LANG: process.env.LANG || "C.UTF-8" };
  for (const name of ["PATH", "HOME", "USER", "LC_ALL"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

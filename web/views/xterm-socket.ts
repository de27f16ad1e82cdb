/** xterm.js on the terminal socket; split from terminal.ts so that esbuild puts xterm in its own lazily loaded chunk. */
import { Terminal } from "@xterm/xterm";

export interface TerminalEvents {
  /** The connection's state, in words ("live", "closed", …). */
  onState(state: string): void;
  /** Who is typing in the session now (a take-over), or null. */
  onWriter(writer: { by: string; since: string } | null): void;
}

/** Opens the session's terminal, read-only, or writable (`write`: this viewer takes the session over). */
export function openTerminal(element: HTMLElement, session: string, write: boolean, events: TerminalEvents): () => void {
  const term = new Terminal({ disableStdin: !write, convertEol: false, scrollback: 5000, fontSize: 13, cursorBlink: write });
  term.open(element);
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const mode = write ? "?mode=write" : "";
  const socket = new WebSocket(`${scheme}//${location.host}/v1/sessions/${encodeURIComponent(session)}/terminal${mode}`);
  socket.binaryType = "arraybuffer";
  const typed = write ? term.onData((data) => socket.readyState === WebSocket.OPEN && socket.send(data)) : null;
  socket.onmessage = (message: MessageEvent) => {
    if (message.data instanceof ArrayBuffer) return term.write(new Uint8Array(message.data));
    try {
      const frame = JSON.parse(String(message.data)) as { type?: string; cols?: number; rows?: number; by?: string; since?: string };
      if (frame.type === "hello" && frame.cols && frame.rows) {
        term.resize(frame.cols, frame.rows);
        events.onState("live");
        if (write) term.focus();
      } else if (frame.type === "takeover" && frame.by) events.onWriter({ by: frame.by, since: frame.since ?? "" });
      else if (frame.type === "handback") events.onWriter(null);
    } catch {
      // not a control frame
    }
  };
  socket.onclose = (event: CloseEvent) =>
    events.onState(event.code === 4004 ? "no such session" : event.code === 4009 ? event.reason : event.code === 1000 ? "closed" : `closed (${event.code})`);
  return () => {
    typed?.dispose();
    socket.close();
    term.dispose();
  };
}

/** xterm.js on the terminal socket; split from terminal.ts so that esbuild puts xterm in its own lazily loaded chunk. */
import { Terminal } from "@xterm/xterm";

export function openTerminal(element: HTMLElement, session: string, onState: (state: string) => void): () => void {
  const term = new Terminal({ disableStdin: true, convertEol: false, scrollback: 5000, fontSize: 13, cursorBlink: false });
  term.open(element);
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/v1/sessions/${encodeURIComponent(session)}/terminal`);
  socket.binaryType = "arraybuffer";
  socket.onmessage = (message: MessageEvent) => {
    if (message.data instanceof ArrayBuffer) return term.write(new Uint8Array(message.data));
    try {
      const hello = JSON.parse(String(message.data)) as { type?: string; cols?: number; rows?: number };
      if (hello.type === "hello" && hello.cols && hello.rows) term.resize(hello.cols, hello.rows);
      onState("live");
    } catch {
      // not a control frame
    }
  };
  socket.onclose = (event: CloseEvent) => onState(event.code === 4004 ? "no such session" : event.code === 1000 ? "closed" : `closed (${event.code})`);
  return () => {
    socket.close();
    term.dispose();
  };
}

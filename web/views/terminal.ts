/**
 * An agent's live terminal: xterm.js (loaded on first use, so the first page
 * load does not carry it) fed by the read-only terminal socket. The terminal
 * keeps the agent's window size whatever the browser's size: a viewer never
 * resizes the agent's pane, for itself or anyone else.
 */
import { h, type ComponentChild } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export function Terminal(props: { session: string }): ComponentChild {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState("connecting");
  useEffect(() => {
    let disposed = false;
    let cleanup = (): void => undefined;
    void import("./xterm-socket.js").then(({ openTerminal }) => {
      if (disposed || !box.current) return;
      cleanup = openTerminal(box.current, props.session, setState);
    });
    return () => {
      disposed = true;
      cleanup();
    };
  }, [props.session]);
  return h(
    "section",
    { "aria-labelledby": "term-h", class: "terminal-view" },
    h("h2", { id: "term-h" }, "Terminal of ", props.session),
    h("p", { class: "muted", "data-terminal-state": state }, `read-only · ${state}`),
    h("div", { ref: box, class: "terminal", "data-session": props.session }),
  );
}

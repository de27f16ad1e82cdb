/**
 * An agent's live terminal: xterm.js (loaded on first use, so the first page
 * load does not carry it) fed by the terminal socket. Read-only by default;
 * with the `terminal` scope a person can **take it over**: their keys go to
 * the pane, the bridge gives the session no new task, and everyone watching
 * sees who is typing, until they **hand it back**. The terminal keeps the
 * agent's window size whatever the browser's size: a viewer never resizes
 * the agent's pane, for itself or anyone else.
 */
import { h, type ComponentChild } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export function Terminal(props: { session: string }): ComponentChild {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState("connecting");
  const [write, setWrite] = useState(false);
  const [writer, setWriter] = useState<{ by: string; since: string } | null>(null);
  useEffect(() => {
    let disposed = false;
    let cleanup = (): void => undefined;
    setState("connecting");
    setWriter(null);
    void import("./xterm-socket.js").then(({ openTerminal }) => {
      if (disposed || !box.current) return;
      cleanup = openTerminal(box.current, props.session, write, { onState: setState, onWriter: setWriter });
    });
    return () => {
      disposed = true;
      cleanup();
    };
  }, [props.session, write]);
  const someoneElse = writer !== null && !write;
  return h(
    "section",
    { "aria-labelledby": "term-h", class: "terminal-view" },
    h("h2", { id: "term-h" }, "Terminal of ", props.session),
    h(
      "div",
      { class: "actions" },
      h(
        "span",
        { class: "muted", "data-terminal-state": state, "data-mode": write ? "write" : "read" },
        `${write ? "you are typing" : "read-only"} · ${state}`,
      ),
      write
        ? h("button", { type: "button", "data-hand-back": "", onClick: () => setWrite(false) }, "Hand back")
        : h("button", { type: "button", "data-take-over": "", disabled: someoneElse, onClick: () => setWrite(true) }, "Take over"),
    ),
    writer
      ? h(
          "p",
          { class: "takeover-note", role: "status", "data-writer": writer.by },
          write ? "You have taken this session over: " : `${writer.by} is typing in this session: `,
          "it gets no new task until it is handed back.",
        )
      : null,
    h("div", { ref: box, class: "terminal", "data-session": props.session }),
  );
}

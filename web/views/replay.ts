/**
 * A task's pane as the flight recorder saw it, played in xterm.js (loaded on
 * first use, like the live terminal) at the recording's own pace or faster,
 * with pauses capped at 2 s as `claude-agent replay` does. The server sends
 * the output already filtered for replay (api/routes/recordings.ts).
 */
import { h, type ComponentChild } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../http.js";
import type { Recording } from "../types.js";

const SPEEDS = [1, 4, 16] as const;

export interface ReplayControls {
  setSpeed(speed: number): void;
  pause(): void;
  resume(): void;
  restart(): void;
  dispose(): void;
}

export function Replay(props: { id: string }): ComponentChild {
  const box = useRef<HTMLDivElement>(null);
  const controls = useRef<ReplayControls | null>(null);
  const [state, setState] = useState("loading");
  const [speed, setSpeed] = useState(1);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let disposed = false;
    Promise.all([api<Recording>("GET", `/v1/tasks/${encodeURIComponent(props.id)}/recording`), import("./replay-player.js")])
      .then(([recording, { playRecording }]) => {
        if (disposed || !box.current) return;
        controls.current = playRecording(box.current, recording, setState);
      })
      .catch((failure: Error) => !disposed && setError(failure.message));
    return () => {
      disposed = true;
      controls.current?.dispose();
      controls.current = null;
    };
  }, [props.id]);
  const choose = (value: number) => {
    setSpeed(value);
    controls.current?.setSpeed(value);
  };
  return h(
    "section",
    { "aria-labelledby": "replay-h", class: "terminal-view" },
    h("h2", { id: "replay-h" }, "Replay of task ", h("a", { href: `#/tasks/${encodeURIComponent(props.id)}` }, props.id)),
    error
      ? h("p", { class: "error", role: "alert" }, error)
      : h(
          "p",
          { class: "muted" },
          h("span", { "data-replay-state": state }, state),
          " · ",
          state === "playing"
            ? h("button", { type: "button", onClick: () => controls.current?.pause() }, "Pause")
            : state === "paused"
              ? h("button", { type: "button", onClick: () => controls.current?.resume() }, "Play")
              : null,
          " ",
          h("button", { type: "button", onClick: () => controls.current?.restart(), disabled: state === "loading" }, "From the start"),
          " speed ",
          ...SPEEDS.map((value) =>
            h("button", { type: "button", "aria-pressed": speed === value, "data-speed": value, onClick: () => choose(value) }, `${value}×`),
          ),
        ),
    h("div", { ref: box, class: "terminal", "data-replay": props.id }),
  );
}

/** Plays a recording into xterm.js; split from replay.ts so that esbuild keeps xterm in its lazily loaded chunk. */
import { Terminal } from "@xterm/xterm";
import type { Recording } from "../types.js";
import type { ReplayControls } from "./replay.js";

/** Pauses in the recording longer than this are shortened to it (`claude-agent replay --max-idle`'s default). */
const MAX_IDLE_SEC = 2;

export function playRecording(element: HTMLElement, recording: Recording, onState: (state: string) => void): ReplayControls {
  const { width, height } = recording.header;
  const term = new Terminal({ cols: width, rows: height, disableStdin: true, convertEol: false, scrollback: 5000, fontSize: 13, cursorBlink: false });
  term.open(element);
  // Event times with long pauses capped: where each event falls on the replay's own clock, in seconds.
  const at: number[] = [];
  let last = 0;
  let clock = 0;
  for (const [time] of recording.events) {
    clock += Math.min(Math.max(0, time - last), MAX_IDLE_SEC);
    last = time;
    at.push(clock);
  }
  let next = 0;
  let position = 0; // seconds of the replay clock played so far
  let speed = 1;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let startedAt = 0; // performance.now() when the clock was last at `position`

  const show = (index: number): void => {
    const [, code, data] = recording.events[index]!;
    if (code === "o") term.write(data);
    else if (code === "r") {
      const [cols, rows] = data.split("x").map(Number);
      if (cols && rows) term.resize(cols, rows);
    }
  };
  const schedule = (): void => {
    if (next >= at.length) {
      timer = null;
      onState("ended");
      return;
    }
    const wait = Math.max(0, ((at[next]! - position) * 1000) / speed);
    startedAt = performance.now();
    timer = setTimeout(() => {
      position = at[next]!;
      // Every event due at this moment at once: a burst of output is one write, not one timer each.
      while (next < at.length && at[next]! <= position) show(next++);
      schedule();
    }, wait);
  };
  const stop = (): void => {
    if (timer === null) return;
    clearTimeout(timer);
    timer = null;
    position = Math.min(at[next] ?? position, position + ((performance.now() - startedAt) / 1000) * speed);
  };
  onState("playing");
  schedule();
  return {
    setSpeed(value) {
      const playing = timer !== null;
      stop();
      speed = value;
      if (playing) schedule();
    },
    pause() {
      if (timer === null) return;
      stop();
      onState("paused");
    },
    resume() {
      if (timer !== null || next >= at.length) return;
      onState("playing");
      schedule();
    },
    restart() {
      stop();
      term.reset();
      term.resize(width, height);
      next = 0;
      position = 0;
      onState("playing");
      schedule();
    },
    dispose() {
      stop();
      term.dispose();
    },
  };
}

import blessed from "blessed";
import type { Widgets } from "blessed";

/**
 * blessed 0.1.81 cannot compile the terminfo of `screen-256color` and
 * `tmux-256color` (the usual TERM inside tmux) and falls back to 8-colour
 * xterm; tmux understands xterm-256color's sequences, so use those.
 */
export function terminalFor(term: string | undefined): string | undefined {
  return term && /^(screen|tmux)[.-]?(256color)/.test(term) ? "xterm-256color" : term;
}

/** The dashboard's blessed screen on this terminal; Ctrl-C reaches our key handler even while a prompt grabs the keys. */
export function openScreen(): Widgets.Screen {
  return blessed.screen({
    terminal: terminalFor(process.env.TERM),
    smartCSR: true,
    fullUnicode: true,
    autoPadding: true,
    warnings: false,
    title: "claude-agent",
    ignoreLocked: ["C-c"],
  });
}

import { InfraError } from "../core/index.js";

/**
 * Pure helpers for tmux control mode (`tmux -C`): decoding `%output` payloads
 * and quoting arguments for tmux's command parser.
 */

/**
 * `%output %ID data`: tmux escapes bytes below 0x20 and the backslash as
 * three-digit octal (`\015`, `\134`); every other byte is passed raw. We keep
 * the stream as a latin1 string so that one char is one byte.
 */
export function decodeOutput(escaped: string): string {
  if (!escaped.includes("\\")) return escaped;
  let out = "";
  for (let i = 0; i < escaped.length; i++) {
    const ch = escaped[i];
    if (ch === "\\" && /^[0-7]{3}$/.test(escaped.slice(i + 1, i + 4))) {
      out += String.fromCharCode(parseInt(escaped.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Quotes one argument for tmux's parser: single quotes are literal in tmux as
 * in sh. A control character other than a tab is refused, not quoted: a newline ends a
 * control-mode command even inside quotes, so whatever followed it would run
 * as a tmux command of its own. Values that may hold one (env values, program
 * arguments) reach panes through a launch file instead (pane-launch.ts).
 */
export function tmuxQuote(arg: string): string {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(arg)) throw new InfraError(`refusing to pass a control character to tmux: ${JSON.stringify(arg.slice(0, 80))}`);
  if (/^[A-Za-z0-9_@%:.,/=+-]+$/.test(arg) && !arg.startsWith("-")) return arg;
  return `'${arg.replace(/'/g, `'"'"'`)}'`;
}

export function tmuxCommand(args: readonly string[]): string {
  return args.map(tmuxQuote).join(" ");
}

export interface Notification {
  kind: string;
  args: string;
}

/** Splits a notification line (`%window-close @3`) into its kind and the rest. */
export function parseNotification(line: string): Notification {
  const space = line.indexOf(" ");
  if (space < 0) return { kind: line.slice(1), args: "" };
  return { kind: line.slice(1, space), args: line.slice(space + 1) };
}

/** A pane's size in a window layout. */
export interface PaneSize {
  readonly paneId: string;
  readonly width: number;
  readonly height: number;
}

/**
 * The panes of a `%layout-change` notification's layout (`@1 b25d,80x24,0,0,3 …`): each leaf cell is
 * `WxH,X,Y,ID` (pane `%ID`); a split is `WxH,X,Y{…}` or `[…]`, whose own size is not a pane's.
 */
export function layoutPanes(args: string): PaneSize[] {
  const layout = args.split(" ")[1] ?? "";
  const panes: PaneSize[] = [];
  for (const match of layout.matchAll(/(\d+)x(\d+),\d+,\d+,(\d+)/g)) {
    panes.push({ paneId: `%${match[3]}`, width: Number(match[1]), height: Number(match[2]) });
  }
  return panes;
}

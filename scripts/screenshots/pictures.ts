/**
 * Terminal captures made into the docs' pictures: a frame is taken only when
 * it passes its check (so never half drawn), saved as the capture itself
 * (`.ansi`, what `tmux capture-pane -p -e` printed; `.txt` without colours)
 * and rendered to PNG by scripts/render-screenshot.sh, whose tools this
 * module installs when it can.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TestTerminal } from "../../test/tui/terminal.js";

const ROOT = resolve(import.meta.dirname, "../..");
export const DOCS = join(ROOT, "docs");
const RENDER = join(ROOT, "scripts", "render-screenshot.sh");
const PACKAGES = ["librsvg2-bin", "fonts-dejavu-core"];

/** rsvg-convert and DejaVu Sans Mono: installed with apt-get when missing and this is root, else an error saying how. */
export function ensureRenderer(): void {
  const missing = () => !has("rsvg-convert", ["--version"]) || !/DejaVu Sans Mono/.test(run("fc-list", [":", "family"]));
  if (!missing()) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`the PNGs need rsvg-convert and DejaVu Sans Mono; install them with: sudo apt-get install -y ${PACKAGES.join(" ")}`);
  }
  console.log(`installing ${PACKAGES.join(" ")} (apt-get) to render the PNGs`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...PACKAGES], { stdio: "inherit", env });
  if (missing()) throw new Error(`apt-get installed ${PACKAGES.join(" ")}, yet rsvg-convert or DejaVu Sans Mono is still missing`);
}

const has = (command: string, args: string[]) => spawnSync(command, args, { stdio: "ignore" }).status === 0;
const run = (command: string, args: string[]) => spawnSync(command, args, { encoding: "utf8" }).stdout ?? "";

export interface Frame {
  /** As capture-pane -p -e printed it: colours as SGR sequences. */
  readonly ansi: string;
  /** The same without the colours. */
  readonly text: string;
}

const SGR = /\x1b\[[0-9;:]*m/g;

/** Polls the terminal until a frame passes `ok` (judged on the text) and returns that very capture. */
export async function frameWhen(term: TestTerminal, ok: (text: string) => boolean, what: string, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  let text = "";
  while (Date.now() < deadline) {
    const ansi = term.screen({ escapes: true });
    text = ansi.replace(SGR, "");
    if (ok(text)) return { ansi, text };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${text}`);
}

/** Lines after the last one with text dropped: a picture ends where the terminal's text does. */
export function trimBottom(frame: Frame): Frame {
  const lines = frame.text.split("\n");
  let keep = lines.length;
  while (keep > 1 && lines[keep - 1]!.trim() === "") keep--;
  const cut = (s: string) => `${s.split("\n").slice(0, keep).join("\n")}\n`;
  return { ansi: cut(frame.ansi), text: cut(frame.text) };
}

/** Writes docs/NAME.ansi (and NAME.txt when asked) and renders docs/NAME.png (the renderer says so). */
export function savePicture(name: string, frame: Frame, options: { text?: boolean } = {}): void {
  const ansi = join(DOCS, `${name}.ansi`);
  const png = join(DOCS, `${name}.png`);
  writeFileSync(ansi, frame.ansi);
  if (options.text) writeFileSync(join(DOCS, `${name}.txt`), frame.text);
  execFileSync("bash", [RENDER, ansi, png], { stdio: "inherit" });
}

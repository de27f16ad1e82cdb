import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");

/**
 * Files that write to the terminal themselves, and why that is safe. Every
 * other file of cli/ and tui/ prints through cli/output.ts (print, printError,
 * printJson, printJsonLine) or draws through tui/render.ts.
 */
const RAW_WRITERS: Readonly<Record<string, string>> = {
  "cli/output.ts": "the sanitising writers themselves",
  "cli/context.ts": "printJson: JSON escaping makes control characters inert",
  "tui/watch-status.ts": "writes its screen through terminalText, then its own cursor movement",
  "cli/commands/up.ts": "prints only paths, pids and its own progress lines",
  "cli/commands/down.ts": "prints only the names of what it stopped",
  "cli/commands/doctor.ts": "prints only local checks of this machine",
  "cli/commands/backup.ts": "history export writes JSON lines: JSON escaping makes control characters inert",
  "cli/replay-player.ts":
    "replays a recording's bytes, which must keep the program's own drawing: every byte goes through ReplayFilter (core/replay-safe.ts), which drops OSC, DCS, queries and input modes",
};

/** Files that hand content to blessed: render.ts passes everything through terminalText, overlays.ts through escapeTags, inbox-panel.ts through both. */
const BLESSED_WRITERS = new Set(["tui/render.ts", "tui/overlays.ts", "tui/inbox-panel.ts"]);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

describe("every print path for a person goes through the terminal sanitiser", () => {
  const files = [...sources("cli"), ...sources("tui")].map((file) => relative(ROOT, join(ROOT, file)));

  it("no command or view writes to stdout or stderr itself", () => {
    const offenders = files
      .filter((file) => !(file in RAW_WRITERS))
      .filter((file) => {
        const text = readFileSync(join(ROOT, file), "utf8");
        return /process\.(stdout|stderr)\.write\(|console\.(log|error|warn|info)\(|\bout\.write\(/.test(text);
      });
    expect(offenders, "print through cli/output.ts (print, printError, printJson, printJsonLine)").toEqual([]);
  });

  it("only the renderer and the overlays hand text to blessed", () => {
    const offenders = files
      .filter((file) => !BLESSED_WRITERS.has(file))
      .filter((file) => /\.(setContent|setLabel|setItems|setText|pushLine|insertLine)\(/.test(readFileSync(join(ROOT, file), "utf8")));
    expect(offenders).toEqual([]);
  });
});

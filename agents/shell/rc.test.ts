/**
 * The shell agent's rcfile, run by a real bash: how a task's output is saved
 * (bash's loadable tee where it loads, /usr/bin/tee where it does not, both
 * with tee's exit status) and that `tee` typed in the pane stays coreutils'.
 * The dispatch itself is tested through a swarm (test/spine/delivery.test.ts).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { shellRc } from "./rc.js";

const dir = mkdtempSync(join(tmpdir(), "ca-rc-"));
const rc = join(dir, "rc.sh");
writeFileSync(rc, shellRc(join(dir, "jobs")));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `script` in an interactive bash started with the rcfile, as a pane's shell is; `hide` mounts an empty folder over it (bwrap). */
function pane(script: string, hide?: string): string {
  const bash = ["bash", "--noprofile", "--rcfile", rc, "-i", "-c", script];
  const argv = hide ? ["bwrap", "--dev-bind", "/", "/", "--tmpfs", hide, ...bash] : bash;
  return execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
}

describe("the shell agent's rcfile", () => {
  it("saves a task's output with bash's loadable tee where it loads, and keeps tee typed in the pane coreutils'", () => {
    const out = join(dir, "with-builtin.log");
    const shown = pane(`printf '%s\\n' "$__ca_tee"; printf 'a\\nb\\n' | __ca_save ${out}; echo "status \${PIPESTATUS[1]}"; type -t tee`);
    expect(shown).toBe("/usr/lib/bash/tee\na\nb\nstatus 0\nfile\n");
    expect(readFileSync(out, "utf8")).toBe("a\nb\n");
  });

  it("falls back to /usr/bin/tee where no loadable tee is installed", () => {
    const out = join(dir, "without.log");
    const shown = pane(`printf '[%s]\\n' "$__ca_tee"; printf 'a\\n' | __ca_save ${out}; echo "status \${PIPESTATUS[1]}"`, "/usr/lib/bash");
    expect(shown).toBe("[]\na\nstatus 0\n");
    expect(readFileSync(out, "utf8")).toBe("a\n");
  });

  it.each([
    ["the builtin", undefined],
    ["/usr/bin/tee", "/usr/lib/bash"],
  ])("reports an output file it cannot write in tee's status, and still shows the output, with %s", (_, hide) => {
    const shown = pane(`printf 'a\\n' | __ca_save /dev/full; echo "status \${PIPESTATUS[1]}"`, hide);
    expect(shown).toBe("a\nstatus 1\n");
  });
});

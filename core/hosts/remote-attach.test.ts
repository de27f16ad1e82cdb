import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { posixShellWord, remoteAttachArgs, remoteAttachLine, remoteWindowSizeArgs } from "./remote-attach.js";

const HOSTILE = [
  "plain",
  "",
  "it's",
  "'",
  "''",
  "'\\''",
  "a'; touch /tmp/pwned; echo '",
  "$(id)",
  "`id`",
  "${HOME}",
  "$HOME",
  "\\",
  "back\\slash\\'",
  '"double" quotes',
  "semi;colon && or || pipe | amp &",
  "glob * ? [a-z]",
  "new\nline",
  "tab\tand\rcr",
  "-n",
  "--",
  "~",
  "!history !!",
  "unicode ✓ ünï",
  "#comment",
  "a b  c",
];

/** Runs `printf '%s\0' WORDS…` in a real shell as ssh's remote side would (one line for `sh -c`), returning the words it got. */
function throughShell(shell: string, words: readonly string[]): string[] {
  const line = `printf '%s\\0' ${words.map(posixShellWord).join(" ")}`;
  const out = execFileSync(shell, ["-c", line], { encoding: "utf8" });
  return out.split("\0").slice(0, -1);
}

describe("posixShellWord", () => {
  for (const shell of ["sh", "bash"]) {
    it(`gives every hostile word back byte for byte through ${shell} -c`, () => {
      expect(throughShell(shell, HOSTILE)).toEqual(HOSTILE);
    });
  }

  it("quotes even a plain word, so no word is ever left for the shell to expand", () => {
    expect(posixShellWord("tmux")).toBe("'tmux'");
    expect(posixShellWord("it's")).toBe(`'it'\\''s'`);
  });
});

describe("remoteAttachArgs", () => {
  const target = { host: "gpu-1", ssh: "ml@gpu-1", tmuxSocket: "/home/ml/.claude-agent/run/tmux.sock", session: "trainer-1", readOnly: true };

  it("runs the remote tmux attach on an exact session name, read-only when asked, after `--`", () => {
    expect(remoteAttachArgs(target)).toEqual([
      "-t",
      "--",
      "ml@gpu-1",
      "'tmux' '-S' '/home/ml/.claude-agent/run/tmux.sock' 'attach-session' '-t' '=trainer-1' '-r'",
    ]);
    expect(remoteAttachArgs({ ...target, readOnly: false }, "/etc/ca/ssh_config")).toEqual([
      "-t",
      "-F",
      "/etc/ca/ssh_config",
      "--",
      "ml@gpu-1",
      "'tmux' '-S' '/home/ml/.claude-agent/run/tmux.sock' 'attach-session' '-t' '=trainer-1'",
    ]);
  });

  it("takes a session over for the web dashboard without resizing its pane, and never asks a password there (BatchMode)", () => {
    expect(remoteAttachArgs({ ...target, readOnly: false, ignoreSize: true }, undefined, { batch: true })).toEqual([
      "-t",
      "-o",
      "BatchMode=yes",
      "--",
      "ml@gpu-1",
      "'tmux' '-S' '/home/ml/.claude-agent/run/tmux.sock' 'attach-session' '-t' '=trainer-1' '-f' 'ignore-size'",
    ]);
  });

  it("asks the host's tmux for the session's window size with the same checked, quoted words", () => {
    expect(remoteWindowSizeArgs(target, "/etc/ca/ssh_config")).toEqual([
      "-o",
      "BatchMode=yes",
      "-F",
      "/etc/ca/ssh_config",
      "--",
      "ml@gpu-1",
      "'tmux' '-S' '/home/ml/.claude-agent/run/tmux.sock' 'display-message' '-p' '-t' '=trainer-1:' '#{window_width} #{window_height}'",
    ]);
    expect(() => remoteWindowSizeArgs({ ...target, session: "x;id" })).toThrow(/not a session name/);
    expect(() => remoteWindowSizeArgs({ ...target, tmuxSocket: "/tmp/$(id)" })).toThrow(/published a tmux socket path/);
  });

  it("sends a socket path with spaces as one word", () => {
    const line = remoteAttachLine({ ...target, tmuxSocket: "/srv/my swarm/run/tmux.sock" });
    expect(execFileSync("sh", ["-c", `printf '%s\\n' ${line.replace(/^'tmux' /, "")}`], { encoding: "utf8" }).split("\n")[1]).toBe(
      "/srv/my swarm/run/tmux.sock",
    );
  });

  it("refuses a published socket path that is not a plain absolute path, naming the host", () => {
    for (const bad of ["run/tmux.sock", "/tmp/x'; touch /tmp/pwned; '", "/tmp/$(id)", "/tmp/a\nb", "/tmp/back\\slash", "/tmp/bang!"]) {
      expect(() => remoteAttachLine({ ...target, tmuxSocket: bad })).toThrow(/host gpu-1 published a tmux socket path attach will not send over ssh/);
    }
  });

  it("refuses a session name the swarm would not make", () => {
    for (const bad of ["-t", "a b", "x;id", "Trainer-1", ""]) expect(() => remoteAttachLine({ ...target, session: bad })).toThrow(/not a session name/);
  });

  it("refuses an ssh target that ssh would read as an option or that carries options", () => {
    for (const bad of ["-oProxyCommand=id", "ml@gpu-1 -p 22", "ml@-gpu", ""])
      expect(() => remoteAttachArgs({ ...target, ssh: bad })).toThrow(/is not an ssh target/);
  });
});

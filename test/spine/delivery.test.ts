/**
 * Delivery: whatever text a task holds, a shell agent runs it exactly as
 * `bash -c TEXT` would, with stdout and stderr merged on one descriptor.
 * Each case runs the text twice, once through the swarm (tmux pane, claim
 * file, markers, tee) and once with a plain `bash -c` in the agent's cwd, and
 * compares exit codes, the raw bytes of the task's output file, and the
 * result's `output` (which, as documented, has ANSI sequences stripped and
 * CRLF turned into LF: the same normalisation is applied to the expected side).
 */
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripAnsi, type TaskResult } from "../../core/index.js";
import type { Swarm } from "../../supervisor/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

const YAML = `
agents:
  - name: sh
    runtime: shell
    replicas: 2
    timeout: 60
default_agent: sh
`;

interface Expected {
  exitCode: number;
  raw: Buffer;
}

/** What `bash -c text` prints (stdout+stderr on one fd) and returns, run in `cwd`. */
function bashC(text: string, cwd: string): Expected {
  const file = join(cwd, `expected-${process.pid}-${Math.random().toString(36).slice(2)}.out`);
  const fd = openSync(file, "w");
  try {
    const run = spawnSync("bash", ["-c", text], { cwd, stdio: ["ignore", fd, fd], timeout: 30_000 });
    if (run.error) throw run.error;
    return { exitCode: run.status ?? -1, raw: readFileSync(file) };
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}

const many = (n: number, line: (i: number) => string): string => Array.from({ length: n }, (_, i) => line(i)).join("\n");

/** About 100 KB of task text, under the single-argument limit: passed to `bash -c` as an argument. */
const HUNDRED_KB_ECHOES = many(1700, (i) => `echo "line ${i}: the quick brown fox 'jumps' over \\$dogs" # ${"~".repeat(i % 7)}`);
/** About 125 KB of task text: over the bridge's argument limit, so it is run from a file instead. */
const BIG_HEREDOC = `cat <<'EOF'\n${many(2200, (i) => `${String(i).padStart(5, "0")} ${"x".repeat(i % 40)} $HOME \`not run\` \\n ${"-".repeat(10)}`)}\nEOF\necho done $((6 * 7))`;

const CORPUS: readonly (readonly [name: string, text: string])[] = [
  ["single and double quotes", `echo 'it'"'"'s' "say \\"hi\\"" 'a "b" c' "d 'e' f"`],
  ["$VAR, ${VAR}, an unset $VAR and a single-quoted $VAR", `X=42; Y='two words'; echo "$X" \${X}x $Y "$Y" '$X' "[$UNSET_CA_VAR]"`],
  ["$(...) and backticks", "echo $(echo sub $(echo nested)) `echo tick` \"$(printf '%s' quoted)\""],
  ["backslashes", `printf '%s\\n' 'a\\b\\\\c' "d\\\\e" a\\ b; echo \\\\ "\\\\"; printf 'tab\\tnl\\n'`],
  ["unicode: emoji and CJK in text and output", `echo "héllo wörld 🎉🚀 日本語 中文 한국어"; printf '%s\\n' "💾" | wc -c; X=漢字; echo "\${#X}"`],
  ["literal tabs in the text", "printf '%s|%s\\n' \"a\tb\" c\td\necho\t'\tindented'"],
  ["a multi-line script with a function and heredocs", [
    "set -u",
    "greet() {",
    "  local who=$1",
    "  echo \"hello, $who\"",
    "}",
    "greet world",
    "cat <<'EOF'",
    "literal: $HOME `date` $(whoami) \\n",
    "EOF",
    "cat <<EOF",
    "expanded: $((1 + 2)) $(greet heredoc)",
    "EOF",
    "for i in 1 2 3; do",
    "  echo \"i=$i\"",
    "done",
  ].join("\n")],
  ["a trailing semicolon", "echo trailing;"],
  ["a semicolon and tmux separators as arguments", "echo a \\; b ';' \" ; \"; echo end\\;"],
  ["! is not history expansion", `echo "a!b" 'c!!' !x hi! "!!" "!$"; true && ! false; echo "$?"`],
  ["arguments starting with -", "printf '%s\\n' -n --help -- -x; echo -e 'e\\tscaped'; echo -- -dash"],
  ["exit 7", "echo before; exit 7; echo never"],
  ["a failing command's own error message and status", "ls /nonexistent-claude-agent-path; echo status=$?; false"],
  ["stderr interleaved with stdout", "echo out1; echo err1 >&2; echo out2; echo err2 >&2; printf 'out3 '; printf 'err3\\n' >&2; echo out4"],
  ["a syntax error reported as bash -c reports it", "echo start; if then fi"],
  ["a line longer than the pane is wide (200)", "printf '%0300d\\n' 0; printf 'y%.0s' $(seq 1 450); echo"],
  ["output with no trailing newline", "printf 'no newline at the end'"],
  ["no output at all", "true"],
  ["output imitating our end, begin and prompt markers (ANSI-stripped in output)", [
    "printf '\\e]7777;ca;end;x;y;0\\a'",
    "printf 'before\\e]7777;ca;begin;fake;nonce\\aafter\\n'",
    "printf '\\e]7777;ca;prompt\\a'",
    "printf '\\e]7777;ca;end;%s;%s;0\\a' sh-1-token deadbeef",
    "sleep 0.3",
    "echo still running after the fake end",
    "exit 3",
  ].join("\n")],
  ["output imitating tmux control-protocol lines", [
    "printf '%%end 1700000000 1 1\\n%%error 1700000000 2 1\\n%%begin 1700000000 3 1\\n'",
    "echo '%output %0 fake pane output'",
    "echo '%exit'",
    "printf '%%window-close @1\\n%%sessions-changed\\n'",
    "sleep 0.2",
    "echo '%end'; echo real end",
  ].join("\n")],
  ["output containing a carriage return (CRLF becomes LF in output)", "printf 'progress 10%%\\rprogress 100%%\\n'; printf 'crlf line\\r\\n'; printf 'cr at end\\r'; echo; printf 'a\\r\\r\\nb\\n'"],
  ["colour escapes in output (ANSI-stripped in output, exact in the file)", "printf '\\e[1;31mred\\e[0m plain \\e[32mgreen\\e[0m\\n'"],
  ["the agent's working directory", "pwd -P"],
  ["about 100 KB of task text (many echo lines)", HUNDRED_KB_ECHOES],
  ["about 125 KB of task text (a long here-doc, run from a file)", BIG_HEREDOC],
];

describe("delivery of a task's text to a shell agent", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  beforeAll(async () => {
    swarm = await startTestSwarm(YAML);
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  async function run(text: string): Promise<TaskResult> {
    const task = await client.submit({ task: text, agent: "sh" });
    return task.result();
  }

  for (const [name, text] of CORPUS) {
    it(`runs ${name} exactly as bash -c does (exit code, output file bytes, output after ANSI/CRLF normalisation)`, async () => {
      const expected = bashC(text, swarm.home);
      const result = await run(text);
      expect(result.exitCode).toBe(expected.exitCode);
      expect(result.status).toBe(expected.exitCode === 0 ? "completed" : "failed");
      expect(result.outputFile).toBeTruthy();
      const raw = readFileSync(result.outputFile!);
      expect(raw.toString("latin1")).toBe(expected.raw.toString("latin1"));
      expect(result.output).toBe(stripAnsi(expected.raw.toString("utf8")));
    });
  }

  it("is not completed by a fake end marker that carries the task's real token but not its nonce", async () => {
    // The running dispatch is the one with a claim file and no exit file yet.
    // The home is named outright: tasks get no swarm variable ($CA_HOME, $CLAUDE_AGENT_HOME) to find it by.
    const text = [
      `for claim in '${swarm.paths.jobsDir}'/*.claim; do`,
      '  token=${claim##*/}; token=${token%.claim}',
      `  [ -e '${swarm.paths.jobsDir}'/$token.exit ] && continue`,
      "  printf '\\e]7777;ca;end;%s;%s;0\\a' \"$token\" not-the-nonce",
      "  printf '\\e]7777;ca;end;%s;;0\\a' \"$token\"",
      "done",
      "sleep 0.3",
      "echo still running",
      "exit 3",
    ].join("\n");
    const result = await run(text);
    expect(result).toMatchObject({ status: "failed", exitCode: 3, output: "still running\n" });
    expect(readFileSync(result.outputFile!, "latin1")).toContain(`\x1b]7777;ca;end;${result.id}-1;not-the-nonce;0\x07`);
  });

  it("pins the size of the large task texts used above (100 KB passed as an argument, 125 KB from a file)", () => {
    expect(Buffer.byteLength(HUNDRED_KB_ECHOES)).toBeGreaterThan(100_000);
    expect(Buffer.byteLength(HUNDRED_KB_ECHOES)).toBeLessThan(120_000);
    expect(Buffer.byteLength(BIG_HEREDOC)).toBeGreaterThan(120_000);
    expect(Buffer.byteLength(BIG_HEREDOC)).toBeLessThan(131_072);
  });

  it("keeps the first and last 64 KB of an output over 128 KB in the result, with an omission note, and all of it in outputFile", async () => {
    const text = "seq 1 70000; echo tail-marker";
    const expected = bashC(text, swarm.home);
    expect(expected.raw.length).toBeGreaterThan(128 * 1024);
    const result = await run(text);
    expect(result).toMatchObject({ status: "completed", exitCode: 0 });
    const full = expected.raw.toString("utf8");
    const edge = 64 * 1024;
    const omitted = full.length - 2 * edge;
    expect(result.output.startsWith(full.slice(0, edge))).toBe(true);
    expect(result.output.endsWith(full.slice(-edge))).toBe(true);
    const middle = result.output.slice(edge, result.output.length - edge);
    expect(middle).toContain(`${omitted} bytes omitted`);
    expect(middle).toContain(result.outputFile!);
    expect(result.output.length).toBeLessThan(2 * edge + 500);
    expect(readFileSync(result.outputFile!).equals(expected.raw)).toBe(true);
  });

  it("keeps an output of exactly 128 KB whole, without an omission note", async () => {
    const text = "head -c 131072 /dev/zero | tr '\\0' 'z'";
    const result = await run(text);
    expect(result.status).toBe("completed");
    expect(result.output).toBe("z".repeat(131072));
  });
});

/**
 * The flight recorder and `claude-agent replay` against a real swarm (real
 * tmux, real redis-server, the built CLI): a shell task's pane is recorded as
 * asciicast from its dispatch to its end, the recording holds exactly what
 * the task printed, its times increase with the task's own pauses, and replay
 * finds it through the history store after Redis has forgotten the task.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCast, replaySafe, type CastEvent, type TaskResult } from "../../core/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { clientInternals } from "../../client/index.js";

const YAML = "agents:\n  - name: alpha\n    runtime: shell\n    timeout: 60\n  - name: unrecorded\n    runtime: shell\n    record: false\n";

describe("the flight recorder and replay", { timeout: 180_000 }, () => {
  let swarm: TestSwarm;
  beforeAll(async () => {
    swarm = await startTestSwarm(YAML);
  }, 120_000);
  afterAll(async () => {
    await swarm?.destroy();
  });

  const run = (task: string, agent = "alpha"): TaskResult => {
    const done = swarm.cli(["submit", "--agent", agent, "--wait", "--json", "--task", task]);
    expect(done.stderr).toBe("");
    return JSON.parse(done.stdout) as TaskResult;
  };
  /** The recording's output events between the dispatch's begin and end markers, joined. */
  const between = (events: readonly CastEvent[]): string => {
    const begin = events.findIndex(([, code, data]) => code === "m" && data.startsWith("begin "));
    const end = events.findIndex(([, code, data]) => code === "m" && data.startsWith("end "));
    expect(begin).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(begin);
    return events
      .slice(begin + 1, end)
      .filter(([, code]) => code === "o")
      .map(([, , data]) => data)
      .join("");
  };

  it("records a shell task's pane, prompt first, and between its markers exactly what it printed", async () => {
    const task = `printf 'one\\ttab\\n'; printf 'ünïcödé ✓\\n' >&2; seq 1 300; printf 'no newline at the end'`;
    const result = run(task);
    expect(result.status).toBe("completed");
    expect(result.castFile).toBe(join(swarm.paths.outputDir, `${result.id}.cast`));
    const cast = parseCast(readFileSync(result.castFile!, "utf8"), result.castFile!);
    expect(cast.skipped).toBe(0);
    expect(cast.header).toMatchObject({ version: 2, width: 200, height: 50 });
    expect(cast.header.title).toBe(`task ${result.id} · agent alpha (alpha-1)`);
    expect(cast.events[0]).toEqual([expect.any(Number), "i", task]);
    expect(cast.events[0]![0]).toBeLessThan(0.1);
    expect(cast.events.at(-1)).toEqual([expect.any(Number), "m", "completed (exit 0)"]);
    // The pane shows the dimmed preview of the task, then its output: the terminal's \r\n is the file's \n.
    const shown = between(cast.events).replace(/\r\n/g, "\n");
    const output = readFileSync(result.outputFile!, "utf8");
    expect(output).toContain("ünïcödé ✓\n");
    expect(shown.endsWith(output)).toBe(true);
    expect(shown.slice(0, shown.length - output.length)).toMatch(/^\x1b\[2m[\s\S]*\x1b\[0m\n$/);
    // Our markers carry the dispatch's nonce: none of them is left in the recording.
    expect(readFileSync(result.castFile!, "utf8")).not.toContain("7777;ca;");
  });

  it("records a resize of the pane while the task runs (a person attaching with another size) as an r event", async () => {
    const socket = join(swarm.paths.runDir, "tmux.sock");
    const client = await swarm.connect();
    // The task waits for the test's go-ahead, given once the pane was resized: the resize happens while it runs.
    const go = join(swarm.home, "resized");
    const { id } = await client.submit({ agent: "alpha", task: `echo before-$((1+1)); until [ -e ${go} ]; do sleep 0.05; done; echo after-$((2+2))` });
    await waitFor("the task to run", async () => (await client.client.get(id)).status === "running");
    execFileSync("tmux", ["-S", socket, "resize-window", "-t", "alpha-1", "-x", "120", "-y", "40"]);
    writeFileSync(go, "");
    const result = await client.result(id, { wait: true });
    const { header, events } = parseCast(readFileSync(result.castFile!, "utf8"), result.castFile!);
    expect(header).toMatchObject({ width: 200, height: 50 });
    const resize = events.findIndex(([, code, data]) => code === "r" && data === "120x40");
    const after = events.findIndex(([, code, data]) => code === "o" && data.includes("after-4"));
    expect(resize).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(resize);
    execFileSync("tmux", ["-S", socket, "resize-window", "-t", "alpha-1", "-x", "200", "-y", "50"]);
  });

  it("gives the recording increasing times that follow the task's own pauses", async () => {
    // Each line printed is not in the task's text (which the pane shows first): A2, B4, C6.
    const result = run("echo A$((1+1)); sleep 1; echo B$((2+2)); sleep 0.5; echo C$((3+3))");
    const { events } = parseCast(readFileSync(result.castFile!, "utf8"), result.castFile!);
    const times = events.map(([time]) => time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const when = (text: string) => events.find(([, code, data]) => code === "o" && data.includes(text))![0];
    expect(when("A2")).toBeLessThan(when("B4"));
    expect(when("B4")).toBeLessThan(when("C6"));
    expect(when("B4") - when("A2")).toBeGreaterThanOrEqual(0.9);
    // From dispatch to end, the recording spans the task's run (its duration is measured from the begin marker).
    const span = events.at(-1)![0] - events[0]![0];
    expect(span).toBeGreaterThanOrEqual(result.durationMs! / 1000 - 0.05);
    expect(span).toBeLessThan(result.durationMs! / 1000 + 5);
  });

  it("replays to the terminal exactly what the pane showed, and prints the recording with --json", () => {
    const result = run("printf 'alpha\\nbeta\\n'");
    const played = swarm.cli(["replay", result.id, "--speed", "50"]);
    expect(played.exitCode, played.stderr).toBe(0);
    const json = JSON.parse(swarm.cli(["replay", result.id, "--json"]).stdout) as { file: string; events: CastEvent[] };
    expect(json.file).toBe(result.castFile);
    const expected = replaySafe(
      json.events
        .filter(([, code]) => code === "o")
        .map(([, , data]) => data)
        .join(""),
    );
    expect(played.stdout.startsWith(expected)).toBe(true);
    expect(played.stdout.replace(/\r\n/g, "\n")).toContain("\nalpha\nbeta\n");
    // After the recording, only what puts the terminal back: attributes reset.
    expect(played.stdout.slice(expected.length)).toMatch(/^\x1b\[0m(\r\n)?$/);
  });

  it("refuses an unknown task with a hint, and a known task whose recording is gone with another", async () => {
    const unknown = swarm.cli(["replay", "mx0000aa-zzzzzz"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/error: no recording of task mx0000aa-zzzzzz: no such task/);
    expect(unknown.stderr).toMatch(/hint: `claude-agent tasks` lists past tasks/);
    expect(swarm.cli(["replay", "../../etc/passwd"]).exitCode).toBe(2);
    expect(swarm.cli(["replay", "x", "--speed", "fast"]).stderr).toMatch(/--speed: expected a positive number/);

    const result = run("echo soon gone");
    rmSync(result.castFile!);
    const gone = swarm.cli(["replay", result.id]);
    expect(gone.exitCode).toBe(2);
    expect(gone.stderr).toMatch(/the recording of task .* is gone/);
    expect(gone.stderr).toMatch(/hint: recordings are removed with the task's output/);
  });

  it("replays a task Redis has forgotten, through the history store", async () => {
    const result = run("echo remembered by the history");
    await waitFor(
      "the task read back from history",
      () => JSON.parse(swarm.cli(["history", "show", result.id, "--json"]).stdout || "{}").source === "history",
      { timeoutMs: 30_000 },
    );
    const shown = JSON.parse(swarm.cli(["history", "show", result.id, "--json"]).stdout) as { task: { castFile: string } };
    expect(shown.task.castFile).toBe(result.castFile);
    const client = await swarm.connect();
    await clientInternals(client.client).ledger.remove([result.id]);
    expect(swarm.cli(["result", result.id]).exitCode).toBe(2);
    const played = swarm.cli(["replay", result.id, "--speed", "50"]);
    expect(played.exitCode, played.stderr).toBe(0);
    expect(played.stdout).toContain("remembered by the history");
    expect(existsSync(result.castFile!)).toBe(true);
  });

  it("leaves the panes of an agent with record: false unrecorded, and replay says why there is nothing to play", () => {
    const result = run("echo not for the record", "unrecorded");
    expect(result.status).toBe("completed");
    expect(result.output).toBe("not for the record\n");
    expect(result.castFile).toBeUndefined();
    expect(existsSync(join(swarm.paths.outputDir, `${result.id}.cast`))).toBe(false);
    const played = swarm.cli(["replay", result.id]);
    expect(played.exitCode).toBe(2);
    expect(played.stderr).toMatch(new RegExp(`error: task ${result.id} has no recording`));
    expect(played.stderr).toMatch(/an agent with `record: false`/);
    // The agent beside it is still recorded.
    expect(existsSync(run("echo on the record").castFile!)).toBe(true);
  });

  it("shows where the recording is in a task's result", () => {
    const result = run("true");
    const shown = swarm.cli(["result", result.id]);
    expect(shown.stdout).toContain(`recording:   ${result.castFile} (claude-agent replay ${result.id})`);
    expect(swarm.cli(["history", "show", result.id]).stdout).toMatch(/recording\s+\S+\.cast/);
  });
});

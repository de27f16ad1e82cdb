import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withOurSettings, withStartupState } from "./config-dir.js";
import { parseHookLine, parseHookLines, questionOf } from "./hook-events.js";
import { HOOK_EVENTS, HOOK_SCRIPT_NAME, hookScript } from "./hooks.js";
import { interactiveArgv } from "./interactive/launch.js";
import { interactivePrompt, RESULT_SUFFIX } from "./prompt.js";
import { readTurn } from "./transcript.js";

describe("the hook script", () => {
  it("appends the hook's JSON input as one line, with the event and when it ran", () => {
    const dir = mkdtempSync(join(tmpdir(), "ca-hook-"));
    const script = join(dir, HOOK_SCRIPT_NAME);
    writeFileSync(script, hookScript(), { mode: 0o700 });
    const file = join(dir, "hooks.jsonl");
    const input = '{\n  "session_id": "s-1",\n  "prompt": "two\\nlines, \\"quoted\\" and ünïcode"\n}\n';
    execFileSync(script, ["UserPromptSubmit"], { input, env: { ...process.env, CA_HOOK_FILE: file } });
    execFileSync(script, ["Stop"], { input: "", env: { ...process.env, CA_HOOK_FILE: file } });
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    const [submit, stop] = parseHookLines(`${lines.join("\n")}\n`);
    expect(submit).toMatchObject({ event: "UserPromptSubmit", conversationId: "s-1", prompt: 'two\nlines, "quoted" and ünïcode' });
    expect(Math.abs(submit!.at - Date.now())).toBeLessThan(10_000);
    expect(stop).toMatchObject({ event: "Stop" });
  });

  it("does nothing without a hook file (a claude started by hand with the agent's settings)", () => {
    const dir = mkdtempSync(join(tmpdir(), "ca-hook-"));
    const script = join(dir, HOOK_SCRIPT_NAME);
    writeFileSync(script, hookScript(), { mode: 0o700 });
    const env = { ...process.env };
    delete env.CA_HOOK_FILE;
    expect(() => execFileSync(script, ["Stop"], { input: "{}", env })).not.toThrow();
  });
});

describe("hook events", () => {
  const line = (event: string, input: object) => JSON.stringify({ event, at: 1795306034.329, input });

  it("keeps the fields the bridge acts on", () => {
    expect(
      parseHookLine(line("Stop", { session_id: "s", transcript_path: "/t.jsonl", prompt_id: "p", last_assistant_message: "done", extra: 1 })),
    ).toMatchObject({
      event: "Stop",
      at: 1795306034329,
      conversationId: "s",
      transcriptPath: "/t.jsonl",
      promptId: "p",
      lastMessage: "done",
    });
    expect(parseHookLine("not json")).toBeNull();
    expect(parseHookLine('{"event":"Stop","at":1,"input":}')).toBeNull();
  });

  it("says what a permission request or a notification asks; idle reminders ask nothing", () => {
    const request = parseHookLine(line("PermissionRequest", { tool_name: "Bash", tool_input: { command: "rm -rf build", description: "clean" } }))!;
    expect(questionOf(request)).toBe("permission to use Bash: rm -rf build");
    const write = parseHookLine(line("PermissionRequest", { tool_name: "Write", tool_input: { file_path: "/x/y.md", content: "…" } }))!;
    expect(questionOf(write)).toBe("permission to use Write: /x/y.md");
    expect(questionOf(parseHookLine(line("Notification", { message: "Claude needs your permission", notification_type: "permission_prompt" }))!)).toBe(
      "Claude needs your permission",
    );
    expect(questionOf(parseHookLine(line("Notification", { message: "Claude is waiting for your input", notification_type: "idle_prompt" }))!)).toBeNull();
    expect(questionOf(parseHookLine(line("Stop", {}))!)).toBeNull();
  });
});

describe("readTurn", () => {
  const entry = (value: object) => JSON.stringify(value);
  const transcript = [
    entry({ type: "user", promptId: "p1", message: { role: "user", content: "first" } }),
    entry({ type: "assistant", message: { id: "m1", content: [{ type: "text", text: "old" }], usage: { input_tokens: 100, output_tokens: 5 } } }),
    entry({ type: "user", promptId: "p2", message: { role: "user", content: "second" } }),
    // One API message written as two lines (one per content block) sharing its id: counted once.
    entry({
      type: "assistant",
      message: { id: "m2", content: [{ type: "tool_use", name: "Write" }], usage: { input_tokens: 10, cache_read_input_tokens: 90, output_tokens: 7 } },
    }),
    entry({
      type: "assistant",
      message: { id: "m2", content: [{ type: "text", text: "" }], usage: { input_tokens: 10, cache_read_input_tokens: 90, output_tokens: 7 } },
    }),
    entry({ type: "user", promptId: "p2", message: { role: "user", content: [{ type: "tool_result", content: "ok" }] } }),
    entry({ type: "assistant", message: { id: "m3", content: [{ type: "text", text: "The answer is 42." }], usage: { input_tokens: 120, output_tokens: 9 } } }),
    "{ broken",
  ].join("\n");

  it("counts the prompt's own round trips, tokens once per message, and its last text", () => {
    expect(readTurn(transcript, "p2")).toEqual({ turns: 2, inputTokens: 220, outputTokens: 16, lastText: "The answer is 42.", interrupted: false });
    expect(readTurn(transcript, "p1")).toMatchObject({ turns: 1, lastText: "old" });
    expect(readTurn(transcript, "nope")).toMatchObject({ turns: 0, lastText: "", inputTokens: undefined });
  });

  it("sees an interrupted turn", () => {
    const interrupted = `${transcript}\n${entry({ type: "user", promptId: "p2", message: { role: "user", content: [{ type: "text", text: "[Request interrupted by user]" }] } })}`;
    expect(readTurn(interrupted, "p2").interrupted).toBe(true);
  });
});

describe("the agent's Claude Code settings", () => {
  it("adds our hooks beside the user's, replaces earlier ones of ours, and allows result files only", () => {
    const user = {
      hooks: {
        Stop: [{ hooks: [{ type: "command", command: "notify-send done" }] }, { hooks: [{ type: "command", command: `/old/${HOOK_SCRIPT_NAME} Stop` }] }],
      },
      model: "opus",
      permissions: { allow: ["Bash(npm test)"] },
    };
    const settings = withOurSettings(user, "/home/x/config/claude-agent-hook.bash", "/home/x/jobs");
    expect(settings.model).toBe("opus");
    const hooks = settings.hooks as Record<string, { hooks: { command: string }[] }[]>;
    expect(Object.keys(hooks).sort()).toEqual([...HOOK_EVENTS].sort());
    expect(hooks.Stop!.map((group) => group.hooks[0]!.command)).toEqual(["notify-send done", "/home/x/config/claude-agent-hook.bash Stop"]);
    expect(settings.permissions).toEqual({ allow: ["Bash(npm test)", `Edit(//home/x/jobs/*${RESULT_SUFFIX})`] });
    expect(withOurSettings(settings, "/home/x/config/claude-agent-hook.bash", "/home/x/jobs")).toEqual(settings);
  });

  it("quotes a hook path with spaces for the shell that runs it", () => {
    const hooks = withOurSettings({}, "/my home/claude-agent-hook.bash", "/j").hooks as Record<string, { hooks: { command: string }[] }[]>;
    expect(hooks.Stop![0]!.hooks[0]!.command).toBe("'/my home/claude-agent-hook.bash' Stop");
  });

  it("marks onboarding done, approves the key by its last 20 characters and trusts the folder", () => {
    const state = withStartupState(
      { numStartups: 3, customApiKeyResponses: { approved: [], rejected: ["00000000000000000000"] }, projects: { "/w": { allowedTools: ["Bash"] } } },
      { cwd: "/w", apiKey: "sk-ant-test-00000000000000000000" },
    );
    expect(state).toMatchObject({ numStartups: 3, hasCompletedOnboarding: true, theme: "dark" });
    expect(state.customApiKeyResponses).toEqual({ approved: ["00000000000000000000"], rejected: [] });
    expect((state.projects as Record<string, object>)["/w"]).toEqual({
      allowedTools: ["Bash"],
      hasTrustDialogAccepted: true,
      hasCompletedProjectOnboarding: true,
    });
  });
});

describe("the pasted prompt and the program's argv", () => {
  it("asks for the result file by its path, in backticks", () => {
    const prompt = interactivePrompt("Fix the bug\n", "/h/jobs/t-1.result.md");
    expect(prompt.startsWith("Fix the bug\n\n---\n")).toBe(true);
    expect(prompt).toContain("to the file `/h/jobs/t-1.result.md`");
  });

  it("runs claude with the model, the conversation to resume and the user's args", () => {
    expect(interactiveArgv({ command: null, model: "sonnet", args: ["--permission-mode", "acceptEdits"], resumeId: "abc" })).toEqual([
      "claude",
      "--model",
      "sonnet",
      "--resume",
      "abc",
      "--permission-mode",
      "acceptEdits",
    ]);
    // No mode in args: `default` (ask first), not Claude Code 2.1.3xx's own default `auto`.
    expect(interactiveArgv({ command: "/opt/claude", model: null, args: [], resumeId: null })).toEqual(["/opt/claude", "--permission-mode", "default"]);
  });
});

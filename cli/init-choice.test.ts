import { describe, expect, it } from "vitest";
import type { ProgramReport } from "./agent-programs.js";
import { chooseRoster } from "./init-choice.js";

const program = (runtime: ProgramReport["runtime"], state: "ready" | "installed" | "missing"): ProgramReport => ({
  runtime,
  installed: state !== "missing",
  path: state === "missing" ? null : `/bin/${runtime}`,
  version: null,
  ready: state === "ready",
  detail: state === "ready" ? `/bin/${runtime}; KEY set` : "not installed",
});

describe("init's choice of agents", () => {
  it("takes Claude Code first when it can authenticate", () => {
    const choice = chooseRoster([program("claude", "ready"), program("codex", "ready")], {});
    expect(choice).toMatchObject({ template: "claude", runtime: "claude" });
    expect(choice.why).toBe("Claude Code is installed (/bin/claude) and can authenticate: KEY set");
  });

  it("goes down the order Codex, Gemini CLI, Qwen Code past programs that cannot authenticate", () => {
    expect(
      chooseRoster([program("claude", "installed"), program("codex", "missing"), program("gemini", "installed"), program("qwen", "ready")], {}),
    ).toMatchObject({
      runtime: "qwen",
      why: expect.stringContaining("(Claude Code and Gemini CLI are installed but cannot authenticate"),
    });
    expect(chooseRoster([program("gemini", "ready"), program("qwen", "ready")], {}).runtime).toBe("gemini");
  });

  it("then the LangChain agent with OPENAI_BASE_URL, then shell agents; aider is never chosen by itself", () => {
    expect(chooseRoster([program("aider", "ready")], { OPENAI_BASE_URL: "http://localhost:11434/v1" }).runtime).toBe("langchain");
    expect(chooseRoster([program("aider", "ready")], {})).toMatchObject({
      template: "shell",
      runtime: "shell",
      why: expect.stringMatching(/^no agent program .* was found, and OPENAI_BASE_URL is not set/),
    });
  });
});

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pipeline, shellQuote } from "./script.js";

const job = {
  task: "ignored",
  promptFile: "/home/a b/jobs/T1-1.prompt",
  eventsFile: "/home/a b/jobs/T1-1.events.jsonl",
  cwd: "/w",
  command: null,
  model: null,
  args: [],
  resumeId: null,
  fresh: false,
};
const paths = { configDir: "/home/a b/agents/x/config", node: "/usr/bin/node", renderer: "/app/dist/agents/render-stream.js" };

describe("shellQuote", () => {
  it.each(["plain", "with space", "it's", `"double"`, "$HOME", "`date`", "a\nb", "!bang", "-dash", "", "*", "tab\there", "ünï"])(
    "makes bash read %j back unchanged",
    (word) => {
      const echoed = execFileSync("bash", ["-c", `printf '%s' ${shellQuote(word)}`], { encoding: "utf8" });
      expect(echoed).toBe(word);
    },
  );

  it("leaves plainly safe words bare", () => {
    expect(shellQuote("--output-format")).toBe("--output-format");
    expect(shellQuote("/usr/bin/node")).toBe("/usr/bin/node");
  });
});

describe("pipeline", () => {
  it("feeds the prompt file to the program and tees its stream to the events file and the renderer", () => {
    const script = pipeline({ runtime: "claude", argv: ["claude", "-p"], env: { CLAUDE_CONFIG_DIR: paths.configDir }, prompt: "stdin" }, job, paths);
    expect(script).toContain(
      `CLAUDE_CONFIG_DIR='/home/a b/agents/x/config' claude -p < '/home/a b/jobs/T1-1.prompt' 2>&1 | tee -p -- '/home/a b/jobs/T1-1.events.jsonl' | /usr/bin/node /app/dist/agents/render-stream.js claude`,
    );
    expect(script).toContain(`exit "\${PIPESTATUS[0]}"`);
    expect(script).toContain(`mkdir -p -- '/home/a b/agents/x/config'`);
  });

  it("gives the program no stdin when its argv names the prompt file, and can print a banner first", () => {
    const script = pipeline({ runtime: "aider", argv: ["aider"], env: {}, prompt: "none", banner: "chat it's" }, job, paths);
    expect(script).toContain(`{ printf '%s\\n' 'chat it'\\''s'; aider < /dev/null; } 2>&1 | tee -p`);
  });
});

describe("pipeline with the agent's node", () => {
  it("puts the folder of the agent's node first on the program's PATH, so a Node script runs with it", () => {
    const dir = mkdtempSync(join(tmpdir(), "ca-node-path-"));
    try {
      mkdirSync(join(dir, "bin 22"));
      writeFileSync(join(dir, "bin 22", "node"), "#!/bin/sh\necho v22.99.0\n", { mode: 0o755 });
      const files = { ...job, promptFile: "/dev/null", eventsFile: join(dir, "events"), node: join(dir, "bin 22", "node") };
      const script = pipeline({ runtime: "qwen", argv: ["node", "--version"], env: {}, prompt: "stdin" }, files, {
        ...paths,
        configDir: join(dir, "config"),
        node: "/bin/true",
      });
      execFileSync("bash", ["-c", script]);
      expect(readFileSync(join(dir, "events"), "utf8")).toBe("v22.99.0\n");
      // Without it, the same script finds the node on PATH.
      execFileSync("bash", [
        "-c",
        pipeline(
          { runtime: "qwen", argv: ["node", "--version"], env: {}, prompt: "stdin" },
          { ...files, node: null },
          { ...paths, configDir: join(dir, "config"), node: "/bin/true" },
        ),
      ]);
      expect(readFileSync(join(dir, "events"), "utf8")).not.toBe("v22.99.0\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { describe, expect, it } from "vitest";
import { RANGES_MARKER, classifyVersion, parseRanges, versionIn } from "./conformance.js";

const FILE = `# Conformance

Some prose, and a table that is not the ranges:

| program | version | feature | result |
|---|---|---|---|
| claude | 9.9.9 | headless | pass |

## Supported ranges

${RANGES_MARKER}

| program | package | oldest passing | newest passing | failing releases |
|---|---|---|---|---|
| claude | \`@anthropic-ai/claude-code\` | 2.1.197 | 2.1.332 | 2.1.250 |
| qwen | \`@qwen-code/qwen-code\` | 0.15.10 | 0.24.4 | |
| broken | pkg | one | two | |

More prose.
`;

describe("the supported ranges in CONFORMANCE.md", () => {
  it("reads the marked table only, one range per program, skipping rows without versions", () => {
    expect(parseRanges(FILE)).toEqual([
      { program: "claude", packageName: "@anthropic-ai/claude-code", oldest: "2.1.197", newest: "2.1.332", failing: ["2.1.250"] },
      { program: "qwen", packageName: "@qwen-code/qwen-code", oldest: "0.15.10", newest: "0.24.4", failing: [] },
    ]);
  });

  it("reads nothing from a file without the marker", () => {
    expect(parseRanges("| program | package | oldest passing | newest passing |\n|---|---|---|---|\n| claude | x | 1.0.0 | 2.0.0 |\n")).toEqual([]);
  });

  it("finds the version in what programs print for --version", () => {
    expect(versionIn("2.1.332 (Claude Code)")).toBe("2.1.332");
    expect(versionIn("codex-cli 0.171.0")).toBe("0.171.0");
    expect(versionIn("v0.24.4\n")).toBe("0.24.4");
    expect(versionIn("0.62.0-nightly.20261201.abc")).toBe("0.62.0-nightly.20261201.abc");
    expect(versionIn("unknown")).toBeNull();
  });
});

describe("where a program's version stands", () => {
  const ranges = parseRanges(FILE);

  it("is tested at either end of the range and within it between them: nothing to say", () => {
    expect(classifyVersion("claude", "2.1.332 (Claude Code)", ranges)).toEqual({ standing: "tested", outside: false, message: null });
    expect(classifyVersion("claude", "2.1.300", ranges)).toEqual({ standing: "within", outside: false, message: null });
  });

  it("is older below the range, and says what to install", () => {
    const verdict = classifyVersion("claude", "1.0.0 (Claude Code)", ranges);
    expect(verdict).toMatchObject({ standing: "older", outside: true });
    expect(verdict.message).toBe(
      "claude 1.0.0 is older than any release claude-agent was tested with (2.1.197 – 2.1.332, CONFORMANCE.md): task delivery or status detection may not work. Fix: npm install -g @anthropic-ai/claude-code@2.1.332",
    );
  });

  it("is newer above the range, and says how to test it", () => {
    const verdict = classifyVersion("qwen", "0.25.0", ranges);
    expect(verdict).toMatchObject({ standing: "newer", outside: true });
    expect(verdict.message).toContain("npm run conformance -- --program qwen --version 0.25.0");
  });

  it("is failing for a release the conformance run saw fail, even inside the range", () => {
    expect(classifyVersion("claude", "2.1.250", ranges)).toMatchObject({ standing: "failing", outside: true });
  });

  it("is unknown for a program with no range, and for a version that cannot be read", () => {
    expect(classifyVersion("aider", "0.86.2", ranges)).toEqual({ standing: "unknown", outside: false, message: null });
    expect(classifyVersion("claude", null, ranges)).toMatchObject({ standing: "unknown", outside: false });
  });
});

/**
 * What the conformance run tests for each program: its npm package, its
 * executable, its real-program suites, and which feature of the matrix each
 * test belongs to (by the behaviour its name pins down).
 */
export type ProgramName = "claude" | "codex" | "gemini" | "qwen";

export interface Suite {
  readonly packageName: string;
  readonly bin: string;
  readonly files: readonly string[];
}

export const SUITES: Readonly<Record<ProgramName, Suite>> = {
  claude: { packageName: "@anthropic-ai/claude-code", bin: "claude", files: ["test/agents/claude.test.ts", "test/agents/claude-interactive.test.ts"] },
  codex: { packageName: "@openai/codex", bin: "codex", files: ["test/agents/codex.test.ts"] },
  gemini: { packageName: "@google/gemini-cli", bin: "gemini", files: ["test/agents/gemini.test.ts"] },
  qwen: { packageName: "@qwen-code/qwen-code", bin: "qwen", files: ["test/agents/qwen.test.ts"] },
};

/** The matrix's columns, in order. */
export const FEATURES = ["answer", "tools", "resume/fresh", "errors", "usage limits", "interactive"] as const;
export type Feature = (typeof FEATURES)[number];

/** A test's feature: the interactive suite is one column; the others by what the test's name says. */
export function featureOf(file: string, title: string): Feature {
  if (file.includes("interactive")) return "interactive";
  if (/rate limit|429|quota/i.test(title)) return "usage limits";
  if (/error|failed|refuses/i.test(title)) return "errors";
  if (/continues|fresh|forgets|resume/i.test(title)) return "resume/fresh";
  if (/tool|shell command/i.test(title)) return "tools";
  return "answer";
}

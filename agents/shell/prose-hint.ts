/**
 * A shell agent runs its task as bash: a sentence meant for an AI agent
 * ("Create user auth system") fails with `Create: command not found` and
 * exit 127. When a task reads like prose and failed that way on its first
 * word, the result's reason says what happened and what to do instead.
 */

/** Prose: at least three words, the first one plain letters (no path, flag, variable or quote). */
const PROSE = /^\s*([A-Za-z][a-z]*)(?:\s+\S+){2,}/;

export function proseHint(task: string, exitCode: number | null, output: string): string | null {
  if (exitCode !== 127) return null;
  const first = PROSE.exec(task)?.[1];
  if (first === undefined) return null;
  // bash's own words: `bash: Create: command not found`, `bash: line 1: Create: command not found`.
  const line = output.split("\n").find((text) => text.includes(`${first}: command not found`));
  if (line === undefined) return null;
  return (
    `${line.trim()}: this agent runs bash, so the task ran as a command line; did you mean an AI agent? ` +
    "Send prose to an agent whose runtime is claude, codex, gemini, qwen or langchain (claude-agent init --template claude writes such a roster; submit --agent NAME picks one), or give this agent a command."
  );
}

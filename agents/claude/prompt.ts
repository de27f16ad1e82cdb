/**
 * The text pasted into an interactive Claude Code for a task: the task, then
 * our one request, to write the final answer to a result file. The file is
 * the artifact that says the task is done: a turn can end without the work
 * being finished (a question back, a refusal), and a Stop hook alone cannot
 * tell the two apart. The path carries the dispatch token, which is how a
 * submitted prompt is recognised (UserPromptSubmit's `prompt`).
 */
/** A result file's name is `<dispatch token>` + this, in the jobs folder (swept with the task's other files). */
export const RESULT_SUFFIX = ".result.md";

export function interactivePrompt(task: string, resultFile: string): string {
  return [
    task.trimEnd(),
    "",
    "---",
    `When you have finished, write your final answer (a short summary of what you did and found) to the file \`${resultFile}\`. Write that file last: it tells the claude-agent swarm that this task is done.`,
  ].join("\n");
}

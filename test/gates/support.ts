/** What the gate tests with the real Claude Code share (test/gates/claude*.test.ts). */
import { resolve } from "node:path";
import { TOOL_FILE } from "../fixtures/llm/scenario.js";

export const CLAUDE = resolve(import.meta.dirname, "../../node_modules/.bin/claude");

/**
 * Fails until the proof file has been written again after the gate's first
 * run (a stamp beside the worktree marks that run); its failure message
 * carries the fake server's `[[tool]]` marker, so the re-prompted agent
 * writes the file again.
 */
export const GATE = [
  // Beside the worktree, outside it (a gate gets the task's identity, not the swarm's home).
  `stamp="../gate-stamp-$CA_TASK"`,
  `if [ -e "$stamp" ] && [ ${TOOL_FILE} -nt "$stamp" ]; then echo proof is fresh; exit 0; fi`,
  `touch "$stamp"; echo "${TOOL_FILE} must be written again after this check [[tool]]"; exit 1`,
].join("; ");

/** A swarm.yaml agent entry running the pinned Claude Code against the scripted server at `url`; `own` adds lines of its own (indented 4). */
export function claudeAgent(name: string, url: string, cwd: string, own: string, extra: string, options: { apiKey?: boolean } = {}): string {
  const key = options.apiKey === false ? "" : "      ANTHROPIC_API_KEY: sk-ant-test-0000000000000000000000\n";
  return `
  - name: ${name}
    runtime: claude
${own}    command: ${CLAUDE}
    cwd: ${cwd}
    timeout: 60
    env:
${key}      ANTHROPIC_BASE_URL: ${url}
      DISABLE_AUTOUPDATER: 1
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: 1
${extra}`;
}

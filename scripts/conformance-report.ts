/**
 * CONFORMANCE.md from the conformance run's results: the matrix (program ×
 * version × feature, with the date and Node of each run), what failed, and
 * the supported ranges that `doctor`, `up` and `status` read
 * (core/conformance.ts parses the table under RANGES_MARKER).
 */
import semver from "semver";
import { RANGES_MARKER } from "../core/index.js";
import { FEATURES, SUITES, type ProgramName } from "./conformance-suites.js";

export interface RunEntry {
  readonly program: ProgramName;
  readonly version: string;
  /** The Node that ran claude-agent and the tests (agent programs that need a newer one get `node: 22`). */
  readonly node: string;
  readonly date: string;
  readonly seconds: number;
  readonly features: Partial<Record<string, "pass" | "fail" | "skip">>;
  readonly failures: readonly string[];
}

const MARK = { pass: "✓", fail: "✗", skip: "skipped" } as const;

export function renderConformance(results: readonly RunEntry[], pinned: Readonly<Record<ProgramName, string>>): string {
  const sorted = [...results].sort((a, b) => a.program.localeCompare(b.program) || semver.rcompare(a.version, b.version) || a.node.localeCompare(b.node));
  const matrix = sorted.map((r) => {
    const cells = FEATURES.map((f) => (r.features[f] ? MARK[r.features[f]!] : "–"));
    const tag = r.version === pinned[r.program] ? " (pinned)" : "";
    return `| ${r.program} | ${r.version}${tag} | ${r.node} | ${r.date} | ${cells.join(" | ")} |`;
  });
  const failures = sorted
    .filter((r) => r.failures.length > 0)
    .flatMap((r) => [`- **${r.program} ${r.version}** (Node ${r.node}, ${r.date}):`, ...r.failures.map((f) => `  - ${f}`)]);
  return `# Conformance: the agent programs claude-agent is tested with

Written by \`npm run conformance\` (scripts/conformance.ts) from \`conformance.json\`; do not edit by hand.
Each run installs a release of a program into claude-agent's cache (\`~/.cache/claude-agent/programs/\`),
starts a real swarm whose agent runs that release against our local model servers (test/fixtures/llm/:
Anthropic Messages, OpenAI chat completions, OpenAI Responses, Gemini; no network, no API key), and runs
the program's real-program suite (test/agents/). CI runs the pinned releases (\`npm test\`); this run
covers any release, the latest of each program included:

\`\`\`sh
npm run conformance                                        # each program: its pinned release and the latest
npm run conformance -- --program claude --version 2.1.300  # one release
\`\`\`

Features: **answer** (a plain prompt: answer, tokens, conversation id, the pane's rendering), **tools** (a
shell command the model asks for, really run in the agent's folder), **resume/fresh** (the next task
continues the conversation, \`--fresh\` starts anew, a lost conversation is forgotten), **errors** (an API
error fails the task with its message), **usage limits** (a 429 or quota error parks the agent's queue),
**interactive** (Claude Code's TUI in the pane: paste and submit, hooks, permission prompts with and
without auto-approval, interrupts, fresh conversations, re-adoption after a bridge crash, restart after a
program crash). Policy hooks and roles are not features of claude-agent yet. A dash: the suite has no
such test for that program. **Node**: the Node that ran claude-agent (daemon, CLI) and the tests; a
program whose package needs a newer one (Qwen Code 0.24: >= 22) ran with a Node 22 given to its agent
by \`node:\`, as a user on such a machine would configure it. To run it on another Node:
\`PATH=/path/to/node22/bin:$PATH npm run conformance\`.

| program | version | Node | date | ${FEATURES.join(" | ")} |
|---|---|---|---|${FEATURES.map(() => "---").join("|")}|
${matrix.join("\n")}

${failures.length > 0 ? `## What failed\n\n${failures.join("\n")}\n` : "## What failed\n\nNothing.\n"}
## Supported ranges

The oldest and newest release of each program whose whole suite passed, and the releases that failed.
\`claude-agent doctor\` and \`up\` say so plainly when an agent runs a release outside this range (older:
it may not work; newer: not tested yet) or one that failed; \`status\` shows each session's release.

${RANGES_MARKER}

| program | package | oldest passing | newest passing | failing releases |
|---|---|---|---|---|
${rangeRows(sorted).join("\n")}

## aider

Not tested for real: aider is published only on PyPI (\`aider-chat\`), which cannot be reached from the
machines this project is built and tested on; Debian has no \`aider\` package, and no wheel set of it is
vendored in the npm registry. Its adapter is tested against output fixtures written from aider's
documented output (test/fixtures/agents/aider/), so it has no range above and \`doctor\` cannot judge
its version.
`;
}

function rangeRows(results: readonly RunEntry[]): string[] {
  const rows: string[] = [];
  for (const program of Object.keys(SUITES) as ProgramName[]) {
    const runs = results.filter((r) => r.program === program);
    const failing = [...new Set(runs.filter((r) => r.failures.length > 0).map((r) => r.version))];
    const passing = [...new Set(runs.filter((r) => r.failures.length === 0 && !failing.includes(r.version)).map((r) => r.version))].sort(semver.compare);
    if (passing.length === 0) continue;
    rows.push(`| ${program} | \`${SUITES[program].packageName}\` | ${passing[0]} | ${passing.at(-1)} | ${failing.sort(semver.compare).join(", ")} |`);
  }
  return rows;
}

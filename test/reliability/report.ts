import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, totalmem, type as osType, release } from "node:os";

/** One injected fault and what the suite measured after it. */
export interface Row {
  fault: string;
  /** Injection (or, for Redis, its return) to the first fresh probe task completing, ms. */
  recoveryMs: number | null;
  /** Injection to the interrupted job running again (re-adopted or re-dispatched), ms; null when not applicable. */
  jobBackMs: number | null;
  submitted: number;
  completed: number;
  failed: number;
  lost: number;
  duplicates: number;
  notes: string;
  passed: boolean;
  failure?: string;
}

const seconds = (ms: number | null): string => (ms === null ? "–" : `${(ms / 1000).toFixed(2)} s`);

export function recoveryCell(row: Row): string {
  if (row.recoveryMs === null) return "–";
  return row.jobBackMs === null ? seconds(row.recoveryMs) : `${seconds(row.recoveryMs)} (job again ${seconds(row.jobBackMs)})`;
}

/** The table as Markdown: fault | recovery time | submitted | completed | failed | lost | duplicates | notes. */
export function markdownTable(rows: readonly Row[]): string {
  const head = "| fault | recovery time | submitted | completed | failed | lost | duplicates | notes |\n|---|---|---:|---:|---:|---:|---:|---|";
  const body = rows.map((row) => {
    const fault = row.passed ? row.fault : `**FAILED** ${row.fault}`;
    const notes = row.passed ? row.notes : `${row.failure ?? "failed"}${row.notes ? `; ${row.notes}` : ""}`;
    return `| ${fault} | ${recoveryCell(row)} | ${row.submitted} | ${row.completed} | ${row.failed} | ${row.lost} | ${row.duplicates} | ${notes.replace(/\|/g, "\\|").replace(/\n/g, " ")} |`;
  });
  return [head, ...body].join("\n");
}

/** The same table for a terminal, in fixed-width columns. */
export function consoleTable(rows: readonly Row[]): string {
  const header = ["fault", "recovery time", "submitted", "completed", "failed", "lost", "dup", "result"];
  const lines = rows.map((row) => [
    row.fault,
    recoveryCell(row),
    String(row.submitted),
    String(row.completed),
    String(row.failed),
    String(row.lost),
    String(row.duplicates),
    row.passed ? "ok" : `FAILED: ${row.failure ?? ""}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (i === header.length - 1 ? 0 : l[i]!.length))));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...lines.map(fmt)].join("\n");
}

function version(cmd: string, args: string[], pattern: RegExp): string {
  try {
    const out = execFileSync(cmd, args, { encoding: "utf8" });
    return pattern.exec(out)?.[1] ?? out.trim();
  } catch {
    return "?";
  }
}

export function machine(): string {
  const cpu = cpus();
  return [
    `${cpu.length} × ${cpu[0]?.model.trim() ?? "cpu"}`,
    `${Math.round(totalmem() / 2 ** 30)} GB RAM`,
    `${osType()} ${release()}`,
    `Node ${process.versions.node}`,
    `tmux ${version("tmux", ["-V"], /tmux (\S+)/)}`,
    `Redis ${version("redis-server", ["--version"], /v=(\S+)/)}`,
  ].join(", ");
}

export function writeReliabilityMd(file: string, rows: readonly Row[], info: { swarm: string; durationMs: number }, hostRows: readonly Row[] = []): void {
  const passed = rows.every((row) => row.passed);
  const text = `# Reliability

The latest run of the fault-injection suite (\`npm run test:faults\`; \`test/reliability/suite.test.ts\`, also part of \`npm test\` in CI). Written by the suite itself.

- **Date:** ${new Date().toISOString()}
- **Machine:** ${machine()}
- **Swarm:** ${info.swarm}
- **Result:** ${passed ? "every fault passed" : `**${rows.filter((r) => !r.passed).length} of ${rows.length} faults FAILED**`} (suite ran ${(info.durationMs / 1000).toFixed(0)} s)

Against a steady stream of short tasks (each appends \`start <label>\` and \`done <label>\` to a log and prints its label), each fault is injected in turn while tasks are in flight. After each, the suite waits until every accepted task is terminal and checks: every accepted task has a terminal state in the ledger (none **lost**); submitted = completed + failed + cancelled + timed out + rejected; each task has exactly one terminal event in \`ca:events\` and its command ran to its end exactly once (else a **duplicate**; a run killed with its pane legitimately starts again, so completions are counted, not starts); each completed task's recorded output is what its command printed; and a fresh probe task (priority 1) completes.

**Recovery time** runs from the injection (for Redis: from its return) to the first fresh probe task completing on every agent; *job again* is the time until the job that was running when the fault hit is running again (re-adopted in its pane by a new bridge, or dispatched again as a new attempt when its pane died).

${markdownTable(rows)}
${hostRows.length > 0 ? hostSection(hostRows) : ""}`;
  writeFileSync(file, text);
}

/** The many-hosts table: rows the tests of test/hosts recorded in the main test run before this suite (test/hosts/fault-rows.ts). */
function hostSection(rows: readonly Row[]): string {
  const failed = rows.filter((row) => !row.passed).length;
  return `
## Many hosts

Written from the rows the multi-host tests (\`test/hosts/*.test.ts\`) recorded in the main test run, which in CI runs just before this suite; a test records its row only once its own assertions passed. Hosts are simulated on this machine: each its own home, tmux server and daemon (\`up --host\`), all on one redis-server with a password, each host reaching it through a TCP proxy of its own where its link is cut; a frozen host's daemon is stopped with SIGSTOP. BullMQ lock 3 s, stalled check every second. **Lost**: an accepted task with no terminal state; **duplicates**: a task with more than one terminal event, or recorded from a run that was fenced off. A command that was running on a host cut off, frozen or killed may have run (and, cut off or frozen, ended) there as well as where it ran again: that is counted in the notes, not as a duplicate (docs/MULTI-HOST.md: "A host that dies mid-task" and "A host cut off from Redis").

**Recovery time** runs from the fault to the interrupted work going on elsewhere: the task running again on another host, the next workflow step dispatched by the new leader (for the frozen leader, which held a step that waits for the test: another host leading), or (Sentinel) the first task accepted by the promoted primary; "–" where the notes give the time until the whole burst was recorded.

- **Result:** ${failed === 0 ? "every fault passed" : `**${failed} of ${rows.length} faults without a passing row**`}

${markdownTable(rows)}
`;
}

/**
 * The many-hosts fault table of RELIABILITY.md. Each fault test of
 * test/hosts records its row here once its assertions have passed; the
 * fault-injection suite, which runs after the main test run, writes the rows
 * under its own table (test/reliability/report.ts). A fault whose test failed
 * or did not run has no row, and the table says so.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Row } from "../reliability/report.js";

/** Where the rows of the last run wait for the report (`.vitest-*` is ignored by git). */
export const HOST_ROWS_DIR = join(import.meta.dirname, "..", "..", ".vitest-hosts");

/** The faults of the table, in its order: a test records its row under one of these ids. */
export const HOST_FAULTS = [
  ["spread", "1,000-task burst over three hosts"],
  ["killed-mid-burst", "one of three hosts killed whole mid-burst (kill -9: daemon, tmux server, panes)"],
  ["killed-mid-task", "a host killed whole mid-task"],
  ["killed-under-program", "a host killed whole mid-turn of an agent program (Claude Code)"],
  ["frozen-under-program", "a host's daemon frozen (SIGSTOP) mid-turn of an agent program (Claude Code) past its job lock, then resumed"],
  ["frozen", "a host's daemon frozen (SIGSTOP) mid-task past its job lock, then resumed"],
  ["cut", "a host's link to Redis cut 20 s mid-task (blackhole), then restored"],
  ["reset-mid-burst", "a host's link reset 5 s during a 1,000-task burst"],
  ["both-cut", "both hosts' links to Redis cut 20 s mid-task (blackhole), tasks submitted meanwhile, then restored"],
  ["leader-killed", "the leader's daemon killed mid-workflow"],
  ["leader-frozen", "the leader frozen (SIGSTOP) past its lease mid-workflow"],
  ["leader-cut", "the leader's link to Redis cut (blackhole) mid-workflow, past the host lease, then restored"],
  ["sentinel", "Redis primary killed (kill -9) under Sentinel, tasks streaming in"],
] as const;

export type HostFault = (typeof HOST_FAULTS)[number][0];

export interface HostRow extends Omit<Row, "fault" | "passed" | "failure"> {
  /** When the test recorded it, ISO 8601. */
  readonly at?: string;
}

export function recordHostFault(id: HostFault, row: HostRow, dir = HOST_ROWS_DIR): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${id}.json`), JSON.stringify({ ...row, at: new Date().toISOString() }));
}

/** The table's rows as recorded, a fault with none marked as not run. */
export function hostFaultRows(dir = HOST_ROWS_DIR): Row[] {
  const recorded = new Map<string, HostRow>();
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith(".json"));
  } catch {
    // no test of test/hosts ran in this checkout
  }
  for (const file of files) recorded.set(file.slice(0, -".json".length), JSON.parse(readFileSync(join(dir, file), "utf8")) as HostRow);
  return HOST_FAULTS.map(([id, fault]) => {
    const row = recorded.get(id);
    if (!row)
      return {
        fault,
        recoveryMs: null,
        jobBackMs: null,
        submitted: 0,
        completed: 0,
        failed: 0,
        lost: 0,
        duplicates: 0,
        notes: "",
        passed: false,
        failure: "no row: its test failed or did not run",
      };
    return { ...row, fault, passed: row.lost === 0 && row.duplicates === 0 };
  });
}

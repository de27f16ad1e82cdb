import type { TaskRecord } from "../../core/index.js";

/** A task record as the ledger stores it, for tests of what reads one: a queued shell task, with `fields` over it. */
export function taskRecord(fields: Partial<TaskRecord> & Pick<TaskRecord, "id">): TaskRecord {
  return {
    agent: "coder",
    session: null,
    status: "queued",
    exitCode: null,
    output: "",
    outputFile: null,
    submittedAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    attempts: 0,
    task: "echo hi",
    timeoutSec: 60,
    priority: 0,
    idempotencyKey: null,
    routedBy: "explicit",
    dispatch: null,
    pane: null,
    cancelRequested: false,
    ...fields,
  };
}

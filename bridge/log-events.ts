/**
 * The names of the events the bridge's composition, intake, admission,
 * session supervision and dispatch log (the daemon's log lines, not the swarm's event
 * stream). A LogFn (any string) is assignable to BridgeLog, so the daemon's
 * logger is passed as it is; a misspelt event name fails to compile.
 */
export type BridgeEvent =
  // intake
  | "job.malformed"
  | "job.infra-error"
  | "job.reconciled"
  | "job.reconcile-failed"
  | "job.retry-record-failed"
  | "worker.error"
  | "cancel-subscriber.error"
  | "ledger.invalid-record"
  // admission
  | "agent.held"
  | "agent.hold-released"
  | "agent.hold-failed"
  | "agent.breaker-probe"
  | "agent.breaker-open"
  | "agent.breaker-closed"
  | "agent.breaker-restored"
  | "agent.breaker-save-failed"
  | "agent.parked"
  | "agent.resumed"
  | "agent.resume-failed"
  // accounts
  | "agent.account-switched"
  | "agent.accounts-limited"
  | "agent.account-restart"
  | "event.publish-failed"
  | "job.account-rerun"
  | "budget.counted"
  | "budget.once"
  | "budget.paused"
  | "budget.error"
  | "job.asking"
  | "job.ask-approved"
  | "job.ask-parked"
  | "policy-ask.error"
  | "policy-ask.call"
  // supervision
  | "session.outdated"
  | "agent.login-seeded"
  | "agent.login-seed-failed"
  | "agent.login-check-failed"
  | "session.failed"
  | "session.restart-failed"
  | "session.publish-failed"
  | "session.event-failed"
  | "session.version-failed"
  | "job.adopt-failed"
  | "tmux.restarted"
  | "tmux.restart-failed"
  | "heartbeat.failed"
  // dispatch
  | "job.tool-audit-failed"
  | "job.unknown-task"
  | "job.not-replicated"
  | "job.replicated"
  | "job.dispatch-limit"
  | "job.refused"
  | "job.adopted"
  | "job.unadoptable"
  | "job.lost-with-pane"
  | "job.end-marker-refused"
  | "job.end-marker-mismatch"
  | "job.output-incomplete"
  | "job.amend-failed"
  | "job.snapshot-failed"
  | "job.changes-failed"
  | "job.finished"
  | "dispatch.fenced"
  | "gate.ran"
  | "agent.park-failed";

export type BridgeLog = (event: BridgeEvent, data?: Record<string, unknown>) => void;

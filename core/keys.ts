/**
 * Every Redis key the swarm uses, in one place. BullMQ's own keys live under
 * `<prefix>:agent-<name>:*` (see queueName).
 */
export interface Keys {
  readonly prefix: string;
  task(id: string): string;
  /** String: the text a task runs, kept apart from its record while the task is open, when the record's copy is redacted. */
  taskRaw(id: string): string;
  readonly taskIndex: string;
  /** Tasks not in a terminal state yet, scored by submission time. */
  readonly openTasks: string;
  idempotency(key: string): string;
  readonly events: string;
  readonly config: string;
  session(name: string): string;
  readonly sessions: string;
  readonly cancelChannel: string;
  readonly daemonHeartbeat: string;
  /** Hash: agent → ISO time until which its queue is parked (a rate limit). */
  readonly parked: string;
  /** Hash: agent → JSON `{until, openMs, reason}` while its circuit breaker is open or half-open. */
  readonly breakers: string;
}

export function keys(prefix = "ca"): Keys {
  return {
    prefix,
    task: (id) => `${prefix}:task:${id}`,
    taskRaw: (id) => `${prefix}:task-raw:${id}`,
    taskIndex: `${prefix}:tasks`,
    openTasks: `${prefix}:open`,
    idempotency: (key) => `${prefix}:idem:${key}`,
    events: `${prefix}:events`,
    config: `${prefix}:config`,
    session: (name) => `${prefix}:session:${name}`,
    sessions: `${prefix}:sessions`,
    cancelChannel: `${prefix}:cancel`,
    daemonHeartbeat: `${prefix}:daemon`,
    parked: `${prefix}:parked`,
    breakers: `${prefix}:breakers`,
  };
}

export function queueName(agent: string): string {
  return `agent-${agent}`;
}

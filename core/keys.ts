/**
 * Every Redis key the swarm uses, in one place, all under the swarm's prefix
 * (`ca-<swarm name>`), so that swarms sharing one Redis never touch each
 * other's keys. BullMQ's own keys live under `<prefix>:agent-<name>:*` (see
 * queueName); the workflow store's under `<prefix>:wf*`.
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
  /** Hash `{digest, version, host, at}`: which swarm.yaml the last `up` loaded, numbered 1, 2, … each time its text changed. */
  readonly configVersion: string;
  session(name: string): string;
  readonly sessions: string;
  readonly cancelChannel: string;
  readonly daemonHeartbeat: string;
  /** Hash: agent → ISO time until which its queue is parked (a rate limit). */
  readonly parked: string;
  /** String with a TTL: the leader lease of a swarm with `hosts:`, JSON `{token, host, id, pid, since}` (core/redis/leader.ts). */
  readonly leader: string;
  /** Counter: the last fencing token handed out with the leader lease (INCR, never reset). */
  readonly leaderToken: string;
  /** Hash: agent → JSON `{until, openMs, reason}` while its circuit breaker is open or half-open. */
  readonly breakers: string;
  /**
   * Hash per agent with `accounts:`: `current` → the account its runs use, `until:<account>` → ms since
   * epoch until which that account is usage limited, `session:<session>` → the account an interactive
   * session's program was started with (bridge/accounts.ts).
   */
  accounts(agent: string): string;
  /** String with a TTL: which home's daemon owns this prefix (core/redis/owner.ts). */
  readonly owner: string;
  /** Hash: the history writer's state, `ok` or `degraded` since when and why (history/writer/outage.ts). */
  readonly historyWriter: string;
  /** String with a TTL: which home's daemon is host `host` of a swarm with `hosts:` (core/redis/owner.ts). */
  hostOwner(host: string): string;
  /** Hash: host name → its daemon's heartbeat record, JSON (core/hosts/host-record.ts). */
  readonly hosts: string;
  /** List: requests for the bridge about its sessions (a restart), JSON each (core/session-requests.ts). */
  readonly sessionRequests: string;
  /** The same list for the bridge of one host, in a swarm with `hosts:`: only the host that has the session takes its request. */
  sessionRequestsOf(host: string): string;
  /** Hash: what an agent spent in a budget period, and that period's answers (core/budget/agent-spend.ts). */
  spend(agent: string, period: string): string;
  /** Pub/sub: an agent's name, when an answer changed its budget (the bridge looks again). */
  readonly budgetChannel: string;
  /** Hash per policy `ask` (a held task, or one tool call of a running one): its item, rule, command and answer (core/asks). */
  policyAsk(id: string): string;
  /** Sorted set: the ids of policy asks not cleared yet, by when they were raised. */
  readonly policyAsks: string;
  /** Pub/sub: a policy ask's id, when it was answered (the bridge lets its task or tool call go on). */
  readonly policyAskChannel: string;
  /** String: the id of the last event the leader's failed-task inbox has read (supervisor/failed-tasks.ts). */
  readonly failedTasksCursor: string;
  /** Hash per session: the permission prompt its program shows that waits in the inbox (core/asks/prompt.ts). */
  promptAsk(session: string): string;
}

/**
 * The prefix of homes created before swarms had names. Such a home keeps it, and with it its tasks
 * and queues; `swarm:` in its swarm.yaml moves it to a prefix of its own (its old keys stay behind).
 */
export const LEGACY_PREFIX = "ca";

/** The key prefix of the swarm named `name` (SWARM_NAME: no `:` inside, so prefixes never nest). */
export function swarmPrefix(name: string): string {
  return `ca-${name}`;
}

export function keys(prefix: string): Keys {
  return {
    prefix,
    task: (id) => `${prefix}:task:${id}`,
    taskRaw: (id) => `${prefix}:task-raw:${id}`,
    taskIndex: `${prefix}:tasks`,
    openTasks: `${prefix}:open`,
    idempotency: (key) => `${prefix}:idem:${key}`,
    events: `${prefix}:events`,
    config: `${prefix}:config`,
    configVersion: `${prefix}:config-version`,
    session: (name) => `${prefix}:session:${name}`,
    sessions: `${prefix}:sessions`,
    cancelChannel: `${prefix}:cancel`,
    daemonHeartbeat: `${prefix}:daemon`,
    parked: `${prefix}:parked`,
    breakers: `${prefix}:breakers`,
    leader: `${prefix}:leader`,
    leaderToken: `${prefix}:leader-token`,
    accounts: (agent) => `${prefix}:accounts:${agent}`,
    owner: `${prefix}:owner`,
    historyWriter: `${prefix}:history`,
    hostOwner: (host) => `${prefix}:owner:${host}`,
    hosts: `${prefix}:hosts`,
    sessionRequests: `${prefix}:session-requests`,
    sessionRequestsOf: (host) => `${prefix}:session-requests:${host}`,
    spend: (agent, period) => `${prefix}:spend:${agent}:${period}`,
    budgetChannel: `${prefix}:budget`,
    policyAsk: (id) => `${prefix}:policy-ask:${id}`,
    policyAsks: `${prefix}:policy-asks`,
    policyAskChannel: `${prefix}:policy-ask`,
    failedTasksCursor: `${prefix}:inbox-failed-cursor`,
    promptAsk: (session) => `${prefix}:prompt-ask:${session}`,
  };
}

export function queueName(agent: string): string {
  return `agent-${agent}`;
}

/**
 * The closed set of errors that reach a user. Each carries a message for a
 * person, an optional hint (what to do about it) and the exit code the CLI's
 * single error boundary (cli/main.ts) turns it into.
 */
export type ErrorContext = Readonly<Record<string, string | number | undefined>>;

export interface ErrorOptions {
  hint?: string;
  cause?: unknown;
  context?: ErrorContext;
}

export abstract class ClaudeAgentError extends Error {
  abstract readonly exitCode: number;
  readonly hint: string | undefined;
  readonly context: ErrorContext;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.context = options.context ?? {};
  }
}

/** Bad flags or arguments. Exit code 2. */
export class UsageError extends ClaudeAgentError {
  readonly exitCode = 2;
}

/** A config or workflow file that does not validate; `problems` lists every one. Exit code 2. */
export class ConfigError extends ClaudeAgentError {
  readonly exitCode = 2;
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options: ErrorOptions = {}) {
    super(problems.join("\n"), options);
    this.problems = problems;
  }
}

/** The swarm (its Redis) is not reachable. Exit code 3. */
export class NotRunningError extends ClaudeAgentError {
  readonly exitCode = 3;
}

/** A task, agent or execution that does not exist. Exit code 2. */
export class NotFoundError extends ClaudeAgentError {
  readonly exitCode = 2;
}

/** A required program or resource of the machine is missing or broken (tmux, redis-server, the home). Exit code 4. */
export class EnvironmentError extends ClaudeAgentError {
  readonly exitCode = 4;
}

/**
 * Infrastructure failure while running a job (pane died, tmux error, command never started).
 * The bridge retries these with backoff; a command's own non-zero exit is a result, not this.
 */
export class InfraError extends ClaudeAgentError {
  readonly exitCode = 5;
}

/**
 * A dispatch's write to its task's record was refused: another dispatch of the task has been counted
 * since (another host's worker took the job over after this one's lock expired: it froze, or lost
 * Redis). A control-flow signal for the stale dispatch: stop, record nothing, never retry.
 */
export class DispatchFencedError extends InfraError {
  constructor(
    readonly taskId: string,
    readonly attempt: number,
  ) {
    super(`refused a write of attempt ${attempt} of task ${taskId}: a later dispatch of the task has been counted since`, {
      hint: "Another host's worker took the job over (this host froze or lost Redis past the job's lock); the task runs there.",
      context: { taskId, attempt },
    });
  }
}

/**
 * `redis.acknowledge`: the primary took a submit's writes, but not enough replicas confirmed them in time
 * (or the primary changed and the task is not on the new one). The task may still run; it may also be lost
 * if the primary fails now. Exit code 3, like an unreachable Redis.
 */
export class NotReplicatedError extends ClaudeAgentError {
  readonly exitCode = 3;
}

/** The task ran and did not complete (failed, timeout, cancelled). Exit code 1. */
export class TaskOutcomeError extends ClaudeAgentError {
  readonly exitCode = 1;
}

export function isClaudeAgentError(error: unknown): error is ClaudeAgentError {
  return error instanceof ClaudeAgentError;
}

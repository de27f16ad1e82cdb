/**
 * Errors as RFC 9457 problem documents (`application/problem+json`), with the
 * JSON pointer of every bad field. The one place that maps the project's
 * typed errors, Fastify's and Redis' to an HTTP status; an unexpected error
 * answers 500 with no detail (the daemon's log has it).
 */
import { ConfigError, NotFoundError, NotRunningError, UsageError, EnvironmentError, isClaudeAgentError } from "../../core/index.js";

export interface FieldProblem {
  /** JSON pointer into the request part it names: `/task`, `/params/env`; "" for the whole part. */
  readonly pointer: string;
  /** `body`, `query`, `path` or `header`. */
  readonly in: string;
  readonly detail: string;
}

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly FieldProblem[];
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: readonly FieldProblem[],
    readonly headers: Readonly<Record<string, string>> = {},
    readonly kind = "about:blank",
  ) {
    super(detail ?? title);
  }

  body(): ProblemBody {
    return {
      type: this.kind,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

/** Seconds a client should wait after a 503 for Redis to come back: Redis restarts from its AOF in about a second. */
export const RETRY_AFTER_SEC = 5;

export const problems = {
  invalid: (errors: readonly FieldProblem[], status = 400) =>
    new HttpProblem(
      status,
      status === 413 ? "Payload too large" : "Invalid request",
      errors.map((e) => `${e.in} ${e.pointer || "(root)"}: ${e.detail}`).join("; "),
      errors,
      {},
      "urn:claude-agent:problem:invalid-request",
    ),
  unauthorized: () => new HttpProblem(401, "Unauthorized", undefined, undefined, { "www-authenticate": 'Bearer realm="claude-agent"' }),
  forbidden: (scope: string) => new HttpProblem(403, "Forbidden", `this token lacks the "${scope}" scope`, undefined, {}, "urn:claude-agent:problem:scope"),
  notFound: (detail: string) => new HttpProblem(404, "Not found", detail),
  conflict: (detail: string) => new HttpProblem(409, "Conflict", detail, undefined, {}, "urn:claude-agent:problem:idempotency-conflict"),
  unavailable: (detail: string) =>
    new HttpProblem(503, "Service unavailable", detail, undefined, { "retry-after": String(RETRY_AFTER_SEC) }, "urn:claude-agent:problem:unavailable"),
};

/** Errors that mean Redis could not be reached (ioredis gives up after its retries, or the connection is closed). */
export function isRedisDown(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === "MaxRetriesPerRequestError" ||
    /Connection is closed|connect ECONNREFUSED|connect ENOENT|Stream isn't writeable|ETIMEDOUT|ECONNRESET|EPIPE/.test(error.message)
  );
}

/** Any error thrown while serving a request, as the problem the client gets. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (isClaudeAgentError(error)) {
    if (error instanceof ConfigError)
      return problems.invalid(
        error.problems.map((detail) => ({ pointer: "", in: "body", detail })),
        422,
      );
    if (error instanceof NotFoundError) return problems.notFound(error.message);
    if (error instanceof UsageError) return problems.invalid([{ pointer: "", in: "body", detail: error.message }]);
    if (error instanceof NotRunningError || error instanceof EnvironmentError) return problems.unavailable(error.message);
  }
  if (isRedisDown(error)) return problems.unavailable("the swarm's Redis cannot be reached; nothing was accepted");
  const fastify = error as { statusCode?: number; code?: string; message?: string };
  if (fastify.code === "FST_ERR_CTP_BODY_TOO_LARGE")
    return problems.invalid([{ pointer: "", in: "body", detail: "the body is larger than the server accepts" }], 413);
  if (fastify.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return new HttpProblem(415, "Unsupported media type", "send application/json");
  if (fastify.code === "FST_ERR_CTP_EMPTY_JSON_BODY")
    return problems.invalid([{ pointer: "", in: "body", detail: "the body is empty; expected a JSON object" }]);
  if (typeof fastify.statusCode === "number" && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return new HttpProblem(fastify.statusCode, "Bad request", fastify.message);
  }
  return new HttpProblem(500, "Internal server error");
}

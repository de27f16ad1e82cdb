import { UsageError } from "../../core/index.js";
import { problems, type HttpProblem } from "./problem.js";

/**
 * A task's `needs` that no agent (or not the agent named) satisfies, as a 422 on
 * `/needs` listing every agent's effective labels, as the CLI's error does
 * (core/hosts/labels.ts puts them in the error's context). Null for any other error.
 */
export function labelsProblem(error: unknown): HttpProblem | null {
  if (!(error instanceof UsageError) || typeof error.context.labels !== "string" || error.context.needs === undefined) return null;
  return problems.invalid([{ pointer: "/needs", in: "body", detail: `${error.message}; labels of the agents: ${error.context.labels}` }], 422);
}

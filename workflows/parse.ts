import { parseDocument } from "yaml";
import { ConfigError, effectiveLabels, type SwarmConfig } from "../core/index.js";
import { normalize } from "./normalize.js";
import { checkRules } from "./rules.js";
import type { Workflow } from "./types.js";
import { commandLineHint } from "./yaml-hint.js";

export interface ParseOptions {
  /** Used as the prefix of every problem (`deploy.yaml: steps.1.agent: …`). */
  readonly file: string;
  /**
   * Names of the configured agents; a step naming any other agent is rejected.
   * Undefined skips that check (no swarm config at hand): say so to the user.
   */
  readonly agents: readonly string[] | undefined;
  /**
   * Each configured agent's effective labels (agentLabels), to check steps with `needs:`;
   * undefined skips that check.
   */
  readonly labels?: ReadonlyMap<string, readonly string[]> | undefined;
}

/** What ParseOptions.labels wants, from a swarm's config: each agent's effective labels by name. */
export function agentLabels(config: Pick<SwarmConfig, "hosts" | "agents">): ReadonlyMap<string, readonly string[]> {
  return new Map(config.agents.map((agent) => [agent.name, effectiveLabels(config, agent)]));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Problems in file order: `steps.2.…` before `steps.10.…`; the sort is stable within one path. */
function byPath(a: string, b: string): number {
  const path = (p: string): string => p.slice(0, p.indexOf(": "));
  return path(a).localeCompare(path(b), "en", { numeric: true });
}

/**
 * Validates a workflow already parsed from YAML or JSON: shape (schema.ts) →
 * normalize (normalize.ts) → cross-field rules (rules.ts). Throws ConfigError
 * listing every problem, each prefixed with the file and the field's path.
 */
export function workflowFromObject(raw: unknown, options: ParseOptions): Workflow {
  const prefix = (problem: string): string => `${options.file}: ${problem}`;
  const normalized = normalize(raw, options.file);
  const problems = [...normalized.problems, ...checkRules({ ...normalized, agents: options.agents, labels: options.labels })].sort(byPath);
  if (problems.length > 0) {
    throw new ConfigError(problems.map(prefix), {
      hint: "Fix the workflow file and run it again.",
      context: { file: options.file },
    });
  }
  return deepFreeze(normalized.workflow);
}

/** Parses YAML text (JSON is YAML too) and validates it; see workflowFromObject. */
export function parseWorkflow(text: string, options: ParseOptions): Workflow {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const at = error.linePos?.[0];
      const where = at ? `line ${at.line}, column ${at.col}` : "YAML";
      const message = error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? error.code;
      return `${options.file}: ${where}: ${message}`;
    });
    const hint = commandLineHint(
      text,
      doc.errors.map((error) => error.linePos?.[0]?.line ?? 0),
    );
    throw new ConfigError(problems, { ...(hint ? { hint } : {}), context: { file: options.file } });
  }
  let raw: unknown;
  try {
    // An alias bomb (aliases of aliases, expanding to gigabytes) stops here, as a problem of the file.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw new ConfigError([`${options.file}: ${cause instanceof Error ? cause.message : String(cause)}`], { cause, context: { file: options.file } });
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError([`${options.file}: expected a mapping with name and steps at the top level`], {
      context: { file: options.file },
    });
  }
  return workflowFromObject(raw, options);
}

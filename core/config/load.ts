/**
 * Reads `swarm.yaml`: YAML syntax → schema (schema.ts) → cross-field rules →
 * normalized, deeply frozen SwarmConfig. Every problem is collected before
 * throwing, so one run of the command shows the user all of them.
 */
import { readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { ZodIssue } from "zod";
import { ConfigError, EnvironmentError, UsageError } from "../errors.js";
import { gitProblems } from "./git-rules.js";
import { llmProblems, normalizeLlm, normalizePolicy, normalizeSupervisor } from "./llm-rules.js";
import { durationMs, normalizeRetention, retentionProblems } from "./retention.js";
import { resolveRole, roleProblems } from "./roles.js";
import { rawConfigSchema, type RawAgent } from "./schema.js";
import { DEFAULT_INBOX, DEFAULT_TIMEOUT_SEC, RUNTIMES, type AgentConfig, type SwarmConfig } from "./types.js";

/** `file` becomes `source` and its basename labels every problem; relative agent `cwd`s resolve against `baseDir`. */
export interface ParseOptions { readonly file: string; readonly baseDir: string }

/** `explicit` is the user's `--config` path, resolved against `cwd`. */
export interface LoadOptions { readonly explicit?: string; readonly cwd: string; readonly home: string }

export const CONFIG_FILE_NAME = "swarm.yaml";
const FIX_HINT = "Fix the file and run the command again; `claude-agent init` writes a commented example.";

export function parseConfig(text: string, options: ParseOptions): SwarmConfig {
  const label = basename(options.file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  // Warnings too: a YAML warning means the value read differs from what the user likely meant.
  const syntax = [...doc.errors, ...doc.warnings].map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return `${label}:${line}:${col}: ${error.message}`;
  });
  if (syntax.length > 0) throw invalid(syntax, options.file);
  if (doc.contents === null) {
    throw invalid([`${label}: the file is empty; expected a mapping with an \`agents\` list`], options.file);
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (cause) {
    throw invalid([`${label}: ${cause instanceof Error ? cause.message : String(cause)}`], options.file);
  }
  return configFromObject(raw, options);
}

export function configFromObject(raw: unknown, options: ParseOptions): SwarmConfig {
  const result = rawConfigSchema.safeParse(raw);
  const problems = [...(result.success ? [] : result.error.issues.flatMap(issueProblems)), ...ruleProblems(raw, options.baseDir)];
  if (!result.success || problems.length > 0) {
    const label = basename(options.file);
    throw invalid(problems.map((problem) => `${label}: ${problem}`), options.file);
  }
  return freeze({
    source: options.file,
    agents: result.data.agents.map((agent) => normalizeAgent(agent, options.baseDir)),
    defaultAgent: result.data.default_agent ?? null,
    ...(result.data.supervisor ? { supervisor: normalizeSupervisor(result.data.supervisor) } : {}),
    ...(result.data.retention ? { retention: normalizeRetention(result.data.retention) } : {}),
    ...(result.data.inbox ? { inbox: Object.freeze({ escalateAfterMs: result.data.inbox.escalate_after === "never" ? null : (durationMs(result.data.inbox.escalate_after) ?? DEFAULT_INBOX.escalateAfterMs) }) } : {}),
  });
}

/** `explicit` (even if missing, so the loader can say so), else `swarm.yaml` in `cwd`, else in `home`. */
export function findConfigFile(options: LoadOptions): string | null {
  if (options.explicit !== undefined) return resolve(options.cwd, options.explicit);
  for (const dir of [options.cwd, options.home]) {
    const candidate = resolve(join(dir, CONFIG_FILE_NAME));
    if (isFile(candidate)) return candidate;
  }
  return null;
}

export function loadConfig(options: LoadOptions): SwarmConfig {
  const file = findConfigFile(options);
  if (file === null) {
    throw new ConfigError([`no ${CONFIG_FILE_NAME} found in ${options.cwd} or ${options.home}`], {
      hint: "Run `claude-agent init` to write one, or pass --config FILE.",
    });
  }
  return parseConfig(readText(file), { file, baseDir: dirname(file) });
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new UsageError(`config file not found: ${file}`, { cause, context: { file } });
    }
    if (code === "EISDIR") throw new UsageError(`config path is a folder, not a file: ${file}`, { cause, context: { file } });
    throw new EnvironmentError(`cannot read config file ${file}: ${code ?? String(cause)}`, { cause, context: { file } });
  }
}

function issueProblems(issue: ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") return issue.keys.map((key) => at([...issue.path, key], "unknown key"));
  return [at(issue.path, issue.message)];
}

function at(path: readonly (string | number)[], message: string): string {
  return path.length === 0 ? message : `${path.join(".")}: ${message}`;
}

/** Cross-field rules, run on the raw object so they report even when other fields are broken. */
function ruleProblems(raw: unknown, baseDir: string): string[] {
  const root = isRecord(raw) ? raw : {};
  const agents = Array.isArray(root.agents) ? (root.agents as unknown[]) : [];
  const problems: string[] = [];
  const firstIndex = new Map<string, number>();
  agents.forEach((agent, index) => {
    if (!isRecord(agent) || typeof agent.name !== "string") return;
    const earlier = firstIndex.get(agent.name);
    if (earlier === undefined) firstIndex.set(agent.name, index);
    else problems.push(`agents.${index}.name: duplicate agent name ${JSON.stringify(agent.name)} (also agents.${earlier})`);
  });
  agents.forEach((agent, index) => {
    if (isRecord(agent)) problems.push(...runtimeProblems(agent, index), ...gitProblems(agent, index, baseDir), ...llmProblems(agent, index), ...roleProblems(agent, index, baseDir));
  });
  const wanted = root.default_agent;
  if (typeof wanted === "string" && firstIndex.size > 0 && !firstIndex.has(wanted)) {
    problems.push(`default_agent: unknown agent ${JSON.stringify(wanted)}; agents are ${[...firstIndex.keys()].join(", ")}`);
  }
  problems.push(...retentionProblems(root.retention));
  return problems;
}

/** What each runtime accepts: only Claude Code has an interactive mode (docs/INTERACTIVE.md). */
function runtimeProblems(agent: Record<string, unknown>, index: number): string[] {
  const problems: string[] = [];
  const runtime = agent.runtime;
  const known = typeof runtime === "string" && (RUNTIMES as readonly string[]).includes(runtime);
  if (agent.mode === "interactive" && known && runtime !== "claude") {
    problems.push(`agents.${index}.mode: the ${runtime} runtime runs headless only, got "interactive"`);
  }
  if (agent.auto_approve !== undefined && known && (runtime !== "claude" || agent.mode !== "interactive")) {
    problems.push(`agents.${index}.auto_approve: only used by interactive Claude agents (runtime: claude, mode: interactive)`);
  }
  if (runtime === "shell") {
    for (const key of ["command", "model", "args"] as const) {
      if (agent[key] !== undefined) problems.push(`agents.${index}.${key}: not used by the shell runtime (the task is the command)`);
    }
  }
  return problems;
}

function normalizeAgent(agent: RawAgent, baseDir: string): AgentConfig {
  return {
    name: agent.name,
    runtime: agent.runtime,
    replicas: agent.replicas ?? 1,
    cwd: resolve(baseDir, agent.cwd ?? "."),
    routes: [...new Set((agent.routes ?? []).map((route) => route.trim().toLowerCase()))],
    env: Object.fromEntries(Object.entries(agent.env ?? {}).map(([key, value]) => [key, String(value)])),
    timeout: agent.timeout ?? DEFAULT_TIMEOUT_SEC,
    mode: agent.mode ?? "headless",
    command: agent.command ?? null,
    model: agent.model?.trim() ?? null,
    args: (agent.args ?? []).map(String),
    worktree: agent.worktree ?? false,
    commit: agent.commit ?? false,
    gate: agent.gate?.trim() ?? null,
    gateRetries: agent.gate_retries ?? 0,
    ...(agent.auto_approve ? { autoApprove: true } : {}),
    ...(agent.llm ? { llm: normalizeLlm(agent.llm) } : {}),
    ...(agent.policy ? { policy: normalizePolicy(agent.policy) } : {}),
    ...roleOf(agent, baseDir),
  };
}

/** The rules already reported any problem with the role, so here it resolves. */
function roleOf(agent: RawAgent, baseDir: string): { role?: AgentConfig["role"] } {
  if (agent.role === undefined) return {};
  const resolved = resolveRole(agent.role, baseDir);
  return "role" in resolved ? { role: resolved.role } : {};
}

function freeze(config: SwarmConfig): SwarmConfig {
  for (const agent of config.agents) {
    Object.freeze(agent.routes);
    Object.freeze(agent.env);
    Object.freeze(agent.args);
    Object.freeze(agent);
  }
  Object.freeze(config.agents);
  return Object.freeze(config);
}

function invalid(problems: readonly string[], file: string): ConfigError {
  return new ConfigError(problems, { hint: FIX_HINT, context: { file } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // missing or unreadable: not a candidate; an explicit path is read (and reported) instead
  }
}

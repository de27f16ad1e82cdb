/**
 * Reads `swarm.yaml`: YAML syntax → schema (schema.ts) → cross-field rules →
 * normalized, deeply frozen SwarmConfig. Every problem is collected before
 * throwing, so one run of the command shows the user all of them.
 */
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { ZodIssue } from "zod";
import { ConfigError } from "../errors.js";
import { readTextFile } from "../text-file.js";
import { accountProblems, normalizeAccounts } from "./accounts-rules.js";
import { apiProblems, normalizeApi, rawApiSchema } from "./api.js";
import { gitProblems } from "./git-rules.js";
import { agentMemoryProblems, normalizeAgentMemory, normalizeDatabase, normalizeMemory, normalizeSwarmLlm } from "./history-rules.js";
import { llmProblems, normalizeLlm, normalizePolicy, normalizeSupervisor } from "./llm-rules.js";
import { normalizeNotify, notifyProblems, rawNotifySchema } from "./notify-rules.js";
import { durationMs, normalizeRetention, retentionProblems } from "./retention.js";
import { resolveRole, roleProblems } from "./roles.js";
import { normalizeSandbox, sandboxProblems } from "./sandbox-rules.js";
import { hostProblems, normalizeHosts, uniqueLabels } from "./host-rules.js";
import { normalizeRedis, redisProblems } from "./redis-rules.js";
import { normalizeAgentBudget } from "./budget-rules.js";
import { isKnownRuntime } from "./runtimes.js";
import { rawConfigSchema, type RawAgent } from "./schema.js";
import { DEFAULT_INBOX, DEFAULT_LIMITS, DEFAULT_TIMEOUT_SEC, type AgentConfig, type HostConfig, type SwarmConfig } from "./types.js";

/** `file` becomes `source` and its basename labels every problem; relative agent `cwd`s resolve against `baseDir`. */
export interface ParseOptions {
  readonly file: string;
  readonly baseDir: string;
}

/** `explicit` is the user's `--config` path, resolved against `cwd`. */
export interface LoadOptions {
  readonly explicit?: string;
  readonly cwd: string;
  readonly home: string;
}

export const CONFIG_FILE_NAME = "swarm.yaml";
/** A swarm.yaml is a few KB; anything near this is not one. */
const CONFIG_MAX_BYTES = 4 * 1024 * 1024;
/** YAML aliases resolved at most this many times (the yaml package's own default, stated): an alias bomb is refused, not expanded. */
export const YAML_MAX_ALIASES = 100;

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
    raw = doc.toJS({ maxAliasCount: YAML_MAX_ALIASES });
  } catch (cause) {
    throw invalid([`${label}: ${cause instanceof Error ? cause.message : String(cause)}`], options.file);
  }
  return freeze({ ...configFromObject(raw, options), digest: configDigest(text) });
}

/**
 * What names one text of swarm.yaml across hosts (issue 16): the first 12 hex digits of its SHA-256. Taken
 * over the text as written, not the resolved config, whose paths depend on where each host keeps the file.
 */
export function configDigest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

export function configFromObject(raw: unknown, options: ParseOptions): SwarmConfig {
  const result = rawConfigSchema.safeParse(raw);
  const api = rawApiSchema.safeParse(isRecord(raw) ? raw.api : undefined);
  const notify = rawNotifySchema.safeParse(isRecord(raw) ? raw.notify : undefined);
  const problems = [
    ...(result.success ? [] : result.error.issues.flatMap(issueProblems)),
    ...(api.success ? [] : api.error.issues.flatMap((issue) => issueProblems({ ...issue, path: ["api", ...issue.path] }))),
    ...(notify.success ? [] : notify.error.issues.flatMap((issue) => issueProblems({ ...issue, path: ["notify", ...issue.path] }))),
    ...ruleProblems(raw, options.baseDir),
  ];
  if (!result.success || !api.success || !notify.success || problems.length > 0) {
    const label = basename(options.file);
    throw invalid(
      problems.map((problem) => `${label}: ${problem}`),
      options.file,
    );
  }
  const hosts = result.data.hosts ? normalizeHosts(result.data.hosts) : null;
  return freeze({
    source: options.file,
    ...(result.data.swarm ? { swarm: result.data.swarm } : {}),
    agents: result.data.agents.map((agent) => normalizeAgent(agent, options.baseDir, hosts)),
    defaultAgent: result.data.default_agent ?? null,
    ...(result.data.supervisor ? { supervisor: normalizeSupervisor(result.data.supervisor) } : {}),
    ...(result.data.retention ? { retention: normalizeRetention(result.data.retention) } : {}),
    ...(result.data.limits ? { limits: Object.freeze({ taskBytes: result.data.limits.task_bytes ?? DEFAULT_LIMITS.taskBytes }) } : {}),
    ...(api.data !== undefined ? { api: normalizeApi(api.data, options.baseDir) } : {}),
    ...(notify.data !== undefined ? { notify: normalizeNotify(notify.data) } : {}),
    ...(result.data.database ? { database: normalizeDatabase(result.data.database) } : {}),
    ...(result.data.memory ? { memory: normalizeMemory(result.data.memory) } : {}),
    ...(result.data.llm ? { llm: normalizeSwarmLlm(result.data.llm) } : {}),
    ...(result.data.inbox
      ? {
          inbox: Object.freeze({
            escalateAfterMs:
              result.data.inbox.escalate_after === "never" ? null : (durationMs(result.data.inbox.escalate_after) ?? DEFAULT_INBOX.escalateAfterMs),
            failedTasks: result.data.inbox.failed_tasks ?? DEFAULT_INBOX.failedTasks,
          }),
        }
      : {}),
    ...(hosts ? { hosts: Object.freeze(hosts) } : {}),
    ...(isRecord(result.data.redis) ? { redis: normalizeRedis(result.data.redis, options.baseDir) } : {}),
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
  return parseConfig(readTextFile(file, { what: "config file", maxBytes: CONFIG_MAX_BYTES }), { file, baseDir: dirname(file) });
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
    if (isRecord(agent)) {
      problems.push(
        ...runtimeProblems(agent, index),
        ...gitProblems(agent, index, baseDir),
        ...llmProblems(agent, index),
        ...sandboxProblems(agent, index, baseDir),
        ...agentMemoryProblems(agent, index),
        ...roleProblems(agent, index, baseDir),
        ...accountProblems(agent, index, baseDir),
      );
    }
  });
  const wanted = root.default_agent;
  if (typeof wanted === "string" && firstIndex.size > 0 && !firstIndex.has(wanted)) {
    problems.push(`default_agent: unknown agent ${JSON.stringify(wanted)}; agents are ${[...firstIndex.keys()].join(", ")}`);
  }
  problems.push(
    ...retentionProblems(root.retention),
    ...apiProblems(root.api),
    ...notifyProblems(root.notify),
    ...hostProblems(root),
    ...redisProblems(root.redis),
  );
  return problems;
}

/** What each runtime accepts: only Claude Code has an interactive mode (docs/INTERACTIVE.md). */
function runtimeProblems(agent: Record<string, unknown>, index: number): string[] {
  const problems: string[] = [];
  const runtime = agent.runtime;
  const known = isKnownRuntime(runtime);
  if (agent.mode === "interactive" && known && runtime !== "claude") {
    problems.push(`agents.${index}.mode: the ${runtime} runtime runs headless only, got "interactive"`);
  }
  if (agent.auto_approve !== undefined && known && (runtime !== "claude" || agent.mode !== "interactive")) {
    problems.push(`agents.${index}.auto_approve: only used by interactive Claude agents (runtime: claude, mode: interactive)`);
  }
  if (runtime === "shell") {
    for (const key of ["command", "model", "args", "node"] as const) {
      if (agent[key] !== undefined) problems.push(`agents.${index}.${key}: not used by the shell runtime (the task is the command)`);
    }
  }
  if (runtime === "langchain" && agent.node !== undefined)
    problems.push(`agents.${index}.node: not used by the langchain runtime (it runs on claude-agent's own Node)`);
  return problems;
}

/** `hosts`: the swarm's, when it declares any; an agent that names none is spread over all of them. */
function normalizeAgent(agent: RawAgent, baseDir: string, hosts: readonly HostConfig[] | null): AgentConfig {
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
    ...(agent.node !== undefined ? { node: normalizeNode(agent.node, baseDir) } : {}),
    worktree: agent.worktree ?? false,
    commit: agent.commit ?? false,
    gate: agent.gate?.trim() ?? null,
    gateRetries: agent.gate_retries ?? 0,
    ...(agent.auto_approve ? { autoApprove: true } : {}),
    ...(agent.record === false ? { record: false } : {}),
    ...(agent.llm ? { llm: normalizeLlm(agent.llm) } : {}),
    ...(agent.policy ? { policy: normalizePolicy(agent.policy) } : {}),
    ...(agent.sandbox ? { sandbox: normalizeSandbox(agent.sandbox, baseDir) } : {}),
    ...(agent.memory ? { memory: normalizeAgentMemory(agent.memory) } : {}),
    ...(agent.budget ? { budget: normalizeAgentBudget(agent.budget) } : {}),
    ...roleOf(agent, baseDir),
    ...(agent.accounts ? { accounts: normalizeAccounts(agent.accounts, baseDir) } : {}),
    ...(hosts ? { hosts: Object.freeze(agent.hosts ? [...agent.hosts] : hosts.map((host) => host.name)) } : {}),
    ...(agent.labels ? { labels: Object.freeze(uniqueLabels(agent.labels)) } : {}),
  };
}

/** A major version stays as digits (found at start-up); a path becomes absolute (`~/` is the user's home, others relative to the file). */
function normalizeNode(value: string | number, baseDir: string): string {
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return String(Number(text));
  if (text === "~" || text.startsWith("~/")) return join(homedir(), text.slice(1));
  return resolve(baseDir, text);
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
  return new ConfigError(problems, { hint: `Fix ${file} and run the command again; \`claude-agent init\` writes a commented example.`, context: { file } });
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

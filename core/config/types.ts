/** The resolved, validated swarm configuration every module downstream of the CLI receives. */
import { join } from "node:path";
import type { NotifyTarget } from "./notify-rules.js";
import type { AgentBudget } from "../budget/types.js";
import type { RoleConfig } from "./roles.js";

/** The programs built in, one adapter each under agents/ (the config's own rules name some of them). */
export type BuiltInRuntime = "shell" | "claude" | "codex" | "gemini" | "aider" | "qwen" | "langchain";
export const RUNTIMES: readonly BuiltInRuntime[] = ["shell", "claude", "codex", "gemini", "aider", "qwen", "langchain"];

declare const registeredRuntime: unique symbol;
/** The name of a program registered at run time (agents' `registerRuntime`), branded so only `addRuntimeName` makes one. */
export type RegisteredRuntime = string & { readonly [registeredRuntime]: true };

/** The program an agent's panes run its tasks with: a built-in one, or one registered before the config is read (core/config/runtimes.ts). */
export type Runtime = BuiltInRuntime | RegisteredRuntime;

/**
 * How an agent program is driven: `headless` runs it once per task with its
 * machine-readable output (`claude -p`, `codex exec --json`, …); `interactive`
 * keeps its TUI open in the pane and types each task into it.
 */
export type AgentMode = "headless" | "interactive";
export const AGENT_MODES: readonly AgentMode[] = ["headless", "interactive"];

export interface AgentConfig {
  readonly name: string;
  readonly runtime: Runtime;
  readonly replicas: number;
  /** Absolute working directory of the agent's sessions. */
  readonly cwd: string;
  readonly routes: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Default job time limit in seconds. */
  readonly timeout: number;
  readonly mode: AgentMode;
  /** The program's executable (a path or a name on PATH), or null for the runtime's usual name (`claude`, `codex`, …). */
  readonly command: string | null;
  /** The model the program is asked for (`--model`), or null for the program's default. */
  readonly model: string | null;
  /** Extra arguments passed to the program on every task, after ours. */
  readonly args: readonly string[];
  /**
   * The Node.js the agent's program runs with, whatever Node runs claude-agent:
   * an absolute path to a `node` executable, or a major version ("22") found
   * at start-up (PATH, claude-agent's cache, nvm). Absent: the `node` on PATH.
   */
  readonly node?: string;
  /** Each replica works in its own git worktree of the repository at `cwd` (branch `claude-agent/<session>`). */
  readonly worktree: boolean;
  /** Worktree agents: commit what a completed task changed (a task may override it). */
  readonly commit: boolean;
  /** A shell command that must exit 0, in the agent's working tree, before a task counts as completed; null for none. */
  readonly gate: string | null;
  /** Agent programs: how many times a failing gate sends its output back to the agent before the task fails. */
  readonly gateRetries: number;
  /**
   * Interactive Claude agents: answer the program's permission prompts with
   * "yes, once" (absent means false: a prompt waits for a person as
   * `needs-input`).
   */
  readonly autoApprove?: boolean;
  /**
   * `record: false`: the flight recorder leaves this agent's panes alone (no `<id>.cast`; the output file and the
   * history are kept as for any task). Absent: recorded.
   */
  readonly record?: false;
  /** The langchain runtime: the model it talks to (only that runtime has one). */
  readonly llm?: LlmConfig;
  /** Shell agents and the langchain agent's command tool: the agent's own command policy (core/policy.ts); absent: the safe defaults only. */
  readonly policy?: PolicySettings;
  /** Where its tasks, gates and program run (`sandbox:` in swarm.yaml); absent: unsandboxed, like `{ kind: "none" }`. */
  readonly sandbox?: SandboxSettings;
  /** Agent programs: memory entries put into each task's prompt (history/memory); absent: none. */
  readonly memory?: AgentMemoryConfig;
  /** What the agent is for and how it works, given to its program as instructions (roles.ts); absent: none. */
  readonly role?: RoleConfig;
  /** Program agents: the logins or keys it rotates through on a usage limit (accounts-rules.ts); absent: one, its own. */
  readonly accounts?: readonly AccountConfig[];
  /** What it may spend per period (`budget:`, core/budget); absent: no limit. */
  readonly budget?: AgentBudget;
  /** With `hosts:` in swarm.yaml: the hosts its replicas are spread over, round-robin (absent in the agent's entry: every host). Absent without `hosts:`. */
  readonly hosts?: readonly string[];
  /** Capabilities the agent claims (`labels:`); what routes a task is its effective labels (core/hosts/labels.ts). */
  readonly labels?: readonly string[];
}

/** One machine of a swarm spanning several (`hosts:` in swarm.yaml; docs/MULTI-HOST.md). */
export interface HostConfig {
  readonly name: string;
  /** `[user@]host` for reaching it over ssh; null: none given. */
  readonly ssh: string | null;
  readonly labels: readonly string[];
  /** The URL at which other hosts' daemons reach its API (an origin, parseApiUrl); null: what its `api.listen` gives. */
  readonly apiUrl: string | null;
}

/** One entry of an agent's `accounts:`: a login folder (`configDir`, absolute) or variables (`env`) for its runs. */
export interface AccountConfig {
  readonly name: string;
  readonly configDir: string | null;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * `bwrap`: each task, gate and agent program runs in bubblewrap, with the
 * swarm's home and other agents' folders hidden, the agent's own working tree
 * (and `writable`) writable, the rest of the filesystem read-only, and the
 * network as `network` says. `none`: as the swarm's user, with its access.
 */
export type SandboxSettings = { readonly kind: "none" } | { readonly kind: "bwrap"; readonly network: boolean; readonly writable: readonly string[] };

/** Whether the agent's tasks run in a bubblewrap sandbox. */
export function isSandboxed(agent: Pick<AgentConfig, "sandbox">): boolean {
  return agent.sandbox?.kind === "bwrap";
}

/** An agent's `memory:`: the best `topK` entries, at most `maxChars` characters, go into each prompt when `inject`. */
export interface AgentMemoryConfig {
  readonly inject: boolean;
  readonly topK: number;
  readonly maxChars: number;
}

/** `database:` in swarm.yaml: the durable history store (history/). */
export interface DatabaseConfig {
  /** A PostgreSQL URL; null: `DATABASE_URL`, else SQLite in the home. */
  readonly url: string | null;
  /** How long history (tasks, events, executions, audit) is kept, in ms; separate from Redis's retention. */
  readonly retentionMs: number;
}

/** `memory:` in swarm.yaml. */
export interface MemoryConfig {
  /** Default lifetime of a memory entry in ms; null: entries never expire unless added with one. */
  readonly expireMs: number | null;
}

/** Top-level `llm:` in swarm.yaml: models the swarm itself uses. */
export interface SwarmLlmConfig {
  /** An OpenAI-compatible `/v1/embeddings` endpoint for memory's vector search; null: full-text only. */
  readonly embeddings: LlmConfig | null;
}

/** An OpenAI-compatible chat-completions endpoint: OpenAI, Ollama, vLLM, LM Studio, … */
export interface LlmConfig {
  /** The API's base URL, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`. */
  readonly baseUrl: string;
  readonly model: string;
  /** The environment variable that holds the API key; null when the server needs none. */
  readonly apiKeyEnv: string | null;
}

/** Regular expressions (JavaScript syntax, validated at load) over a command's text. Deny > ask > allow. */
export interface PolicySettings {
  readonly deny: readonly string[];
  /** A matching command waits for a person's approval (an inbox item) before it runs; absent: none. */
  readonly ask?: readonly string[];
  /** When not empty, a command must match one of these. */
  readonly allow: readonly string[];
}

/** `supervisor:` in swarm.yaml: the model that routes, summarises and plans (null: keyword routing only). */
export interface SupervisorConfig {
  readonly llm: LlmConfig | null;
  /** How long routing waits for the model before the keyword router decides. */
  readonly routeTimeoutSec: number;
}

/**
 * `retention:` in swarm.yaml: how long finished tasks and workflow executions
 * are kept, and at most how many. Failed ones are kept at least as long as
 * completed ones (the loader refuses the opposite).
 */
export interface RetentionConfig {
  /** How long a completed task or workflow execution is kept after it finished, in ms. */
  readonly completedMs: number;
  /** How long one that failed, timed out, was cancelled or rejected is kept, in ms. */
  readonly failedMs: number;
  /** At most this many tasks are kept; the oldest finished ones go first, open ones never. */
  readonly maxTasks: number;
  /** At most this many workflow executions are kept; the oldest finished ones go first, running ones never. */
  readonly maxExecutions: number;
}

/** `limits:` in swarm.yaml: the largest inputs the swarm accepts. */
export interface LimitsConfig {
  /** The largest task text, in bytes of UTF-8 (every entry point: CLI, SDK, workflow steps). */
  readonly taskBytes: number;
}

export interface SwarmConfig {
  /** Absolute path of the file it was read from, or "<default>" / "<inline>". */
  readonly source: string;
  /** configDigest of the file's text (a version of swarm.yaml that hosts compare); absent for a config not read from text. */
  readonly digest?: string;
  /**
   * `swarm:` in swarm.yaml: the swarm's name, which names its Redis keys (`ca-<name>:…`), so that
   * swarms sharing one Redis never see each other's data. Absent: derived from the home.
   */
  readonly swarm?: string;
  readonly agents: readonly AgentConfig[];
  readonly defaultAgent: string | null;
  /** Absent when swarm.yaml has no `supervisor:` section (no LLM features). */
  readonly supervisor?: SupervisorConfig;
  /** Absent when swarm.yaml has no `retention:` section: DEFAULT_RETENTION applies. */
  readonly retention?: RetentionConfig;
  /** Absent when swarm.yaml has no `limits:` section: DEFAULT_LIMITS apply (see limitsOf). */
  readonly limits?: LimitsConfig;
  /** Absent when swarm.yaml has no `api:` section: DEFAULT_API applies (`api: false` gives `enabled: false`). */
  readonly api?: ApiConfig;
  /** Absent: SQLite in the home (or `DATABASE_URL`), history kept a year. */
  readonly database?: DatabaseConfig;
  readonly memory?: MemoryConfig;
  readonly llm?: SwarmLlmConfig;
  /** Absent when swarm.yaml has no `inbox:` section: DEFAULT_INBOX applies. */
  readonly inbox?: InboxConfig;
  /** `notify:` in swarm.yaml: where events are sent (supervisor/notify); absent: nowhere. */
  readonly notify?: readonly NotifyTarget[];
  /** `hosts:` in swarm.yaml, in the file's order; absent: one host, every agent on it (as before hosts existed). */
  readonly hosts?: readonly HostConfig[];
  /** `redis:` in swarm.yaml: Redis Sentinel and/or acknowledged acceptance; absent: REDIS_URL or the embedded Redis, no WAIT. */
  readonly redis?: RedisConfig;
}

/** A sentinel's address in `redis.sentinels`. */
export interface SentinelAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * `redis.tls` in swarm.yaml: TLS to the sentinels and to every data node they name. Files are absolute paths
 * (a relative one is resolved against swarm.yaml's folder); each null one falls back to Node's default, as for
 * a `rediss://` REDIS_URL (the system's CAs plus NODE_EXTRA_CA_CERTS; no client certificate; the address's name).
 */
export interface SentinelTlsConfig {
  /** PEM file of the CA(s) the servers' certificates must chain to (replaces the default CAs). */
  readonly ca: string | null;
  /** PEM client certificate and its key, for servers with `tls-auth-clients yes`; both or neither. */
  readonly cert: string | null;
  readonly key: string | null;
  /** The name every server's certificate must carry, when it is not the address the sentinels give. */
  readonly servername: string | null;
}

/** `redis:` in swarm.yaml (core/config/redis-rules.ts). */
export interface RedisConfig {
  /** Reach the primary of this Sentinel group (absent: REDIS_URL or the embedded Redis). */
  readonly sentinel?: {
    readonly sentinels: readonly SentinelAddress[];
    readonly name: string;
    /** The variable holding the data nodes' password (null: none). */
    readonly passwordEnv: string | null;
    /** The variable holding the sentinels' own password (null: none). */
    readonly sentinelPasswordEnv: string | null;
    /** `username:`: the data nodes' ACL user (null: the default user, with `password_env` as its password). */
    readonly username: string | null;
    /** `sentinel_username:`: the sentinels' ACL user (null: their default user). */
    readonly sentinelUsername: string | null;
    /** `tls:`: reach the sentinels and the data nodes over TLS (absent: plain TCP). */
    readonly tls?: SentinelTlsConfig;
  };
  /** A submit returns only once this many replicas have its writes (Redis WAIT), else fails with ReplicationError. */
  readonly acknowledge?: { readonly replicas: number; readonly timeoutMs: number };
}

/** `api:` in swarm.yaml: the daemon's HTTP API (api/). */
export interface ApiConfig {
  readonly enabled: boolean;
  readonly listen: { readonly host: string; readonly port: number };
  /** Whether swarm.yaml named the address: then failing to bind it stops `up`; the default address only warns. */
  readonly listenExplicit: boolean;
  /** Absolute paths of the PEM certificate and key; null: plain HTTP (loopback, or insecureBind). */
  readonly tls: { readonly cert: string; readonly key: string } | null;
  readonly insecureBind: boolean;
  /** `token`: /metrics needs a token with the read scope; `public`: none (loopback only). */
  readonly metrics: "token" | "public";
  readonly rateLimitPerMinute: number;
  /** Browser origins allowed to open /v1/ws and to call the API cross-origin; empty: none but the API's own. */
  readonly allowedOrigins: readonly string[];
  /**
   * Absolute path of a PEM file: the CA (or CAs) another host's API certificate may be signed by, trusted besides
   * the system's when the web terminal relays to that host over https; null: the system's only.
   */
  readonly peerCa: string | null;
}

export const DEFAULT_API: ApiConfig = Object.freeze({
  enabled: true,
  listen: Object.freeze({ host: "127.0.0.1", port: 7433 }),
  listenExplicit: false,
  tls: null,
  insecureBind: false,
  metrics: "token",
  rateLimitPerMinute: 6000,
  allowedOrigins: Object.freeze([]),
  peerCa: null,
});

/** `inbox:` in swarm.yaml. */
export interface InboxConfig {
  /** How long an item may wait for an answer before it escalates (an `inbox.escalated` event); null: never. */
  readonly escalateAfterMs: number | null;
  /** A task that fails or times out (outside a workflow) opens an item that retries it; `failed_tasks: false` turns that off. */
  readonly failedTasks: boolean;
}

export const DEFAULT_INBOX: InboxConfig = Object.freeze({ escalateAfterMs: 3_600_000, failedTasks: true });

export const DEFAULT_TIMEOUT_SEC = 600;
export const DEFAULT_ROUTE_TIMEOUT_SEC = 10;
const DAY_MS = 24 * 3600 * 1000;
/** Completed tasks and executions 7 days, failed ones 30, at most 50,000 tasks and 5,000 executions. */
export const DEFAULT_RETENTION: RetentionConfig = Object.freeze({ completedMs: 7 * DAY_MS, failedMs: 30 * DAY_MS, maxTasks: 50_000, maxExecutions: 5_000 });
/** A task of 1 MiB is a long script; larger inputs belong in files the task reads. */
export const DEFAULT_LIMITS: LimitsConfig = Object.freeze({ taskBytes: 1024 * 1024 });
/** The largest `limits.task_bytes` accepted: every copy of a task (Redis, job files, events) grows with it. */
export const MAX_TASK_BYTES = 64 * 1024 * 1024;

/** The limits a swarm runs with, defaults filled in (a config stored by an older version has none). */
export function limitsOf(config: Pick<SwarmConfig, "limits">): LimitsConfig {
  return config.limits ?? DEFAULT_LIMITS;
}

/** More gate retries than this only burns tokens: an agent that failed a check three times needs a person. */
export const MAX_GATE_RETRIES = 3;
export const AGENT_NAME = /^[a-z0-9][a-z0-9-]*$/;
/** A swarm's name: it becomes part of every Redis key of the swarm, so no `:`, `*`, braces or spaces. */
export const SWARM_NAME = /^[a-z0-9][a-z0-9-]{0,47}$/;
export const SWARM_NAME_EXPECTED = "a name of lowercase letters, digits and hyphens (at most 48)";

/**
 * The agent's own configuration folder (`CLAUDE_CONFIG_DIR`, `CODEX_HOME`, …),
 * so two agents never share one settings file or one conversation store.
 */
export function agentConfigDir(home: string, agent: string): string {
  return join(home, "agents", agent, "config");
}

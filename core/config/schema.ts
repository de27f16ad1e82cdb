/**
 * The shape of a raw `swarm.yaml` document, before defaults and paths are
 * applied (see load.ts). Every schema carries an error map so that each
 * problem reads "expected X, got Y" with Y shown as JSON; unknown keys are
 * rejected at every level.
 */
import { z } from "zod";
import { DURATION_EXPECTED, durationMs } from "./retention.js";
import { rawAccountsSchema } from "./accounts-rules.js";
import { rawAgentBudgetSchema } from "./budget-rules.js";
import { rawSandboxSchema } from "./sandbox-rules.js";
import { rawAgentHostsSchema, rawHostsSchema, rawLabelsSchema } from "./host-rules.js";
import { isKnownRuntime, knownRuntimes } from "./runtimes.js";
import { AGENT_MODES, AGENT_NAME, MAX_GATE_RETRIES, MAX_TASK_BYTES, SWARM_NAME, SWARM_NAME_EXPECTED, type AgentMode, type Runtime } from "./types.js";

const MAX_SHOWN = 60;

/** A value as a user would recognise it from the file: JSON, shortened, `nothing` when absent. */
export function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const json = JSON.stringify(value) ?? String(value);
  return json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN - 3)}...` : json;
}

export function expectedMessage(what: string, value: unknown): string {
  return `expected ${what}, got ${showValue(value)}`;
}

/** Zod params whose every issue (type or check) becomes "expected <what>, got <value>". */
function expected(what: string): { errorMap: z.ZodErrorMap } {
  return { errorMap: (_issue, ctx) => ({ message: expectedMessage(what, ctx.data) }) };
}

const positiveInteger = (): z.ZodNumber => z.number(expected("a positive integer")).int().positive();

const runtime = z.custom<Runtime>(
  (value) => isKnownRuntime(value),
  (value) => ({ message: expectedMessage(`one of ${knownRuntimes().map(quoted).join(", ")}`, value) }),
);
const quoted = (name: string): string => JSON.stringify(name);

const mode = z.custom<AgentMode>(
  (value) => typeof value === "string" && (AGENT_MODES as readonly string[]).includes(value),
  (value) => ({ message: expectedMessage(`one of ${AGENT_MODES.map((m) => JSON.stringify(m)).join(", ")}`, value) }),
);

const model = z.string(expected("a model name")).refine(
  (value) => value.trim() !== "",
  (value) => ({ message: expectedMessage("a model name", value) }),
);

/** Arguments are passed as separate words, never through a shell, so any string is safe; numbers and booleans are stringified. */
const arg = z.union([z.string(), z.number(), z.boolean()], expected("a string"));

const route = z.string(expected("a non-empty keyword")).refine(
  (value) => value.trim() !== "",
  (value) => ({ message: expectedMessage("a non-empty keyword", value) }),
);

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = z.string().refine(
  (key) => ENV_NAME.test(key),
  (key) => ({ message: expectedMessage("a variable name of letters, digits and underscores", key) }),
);

const envValue = z.union([z.string(), z.number(), z.boolean()], expected("a string, number or boolean"));

/** `llm:` of a langchain agent or of the supervisor. */
export const rawLlmSchema = z
  .object(
    {
      base_url: z
        .string(expected("an http(s) URL such as http://localhost:11434/v1"))
        .refine(isHttpUrl, (value) => ({ message: expectedMessage("an http(s) URL such as http://localhost:11434/v1", value) })),
      model,
      api_key_env: envName.optional(),
    },
    expected("a mapping with `base_url` and `model` (and optionally `api_key_env`)"),
  )
  .strict();

const pattern = z.string(expected("a regular expression")).superRefine((value, ctx) => {
  const problem = regexProblem(value);
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a regular expression, got ${showValue(value)} (${problem})` });
});

/** `policy:` of an agent: regular expressions over a command's text. */
export const rawPolicySchema = z
  .object(
    {
      deny: z.array(pattern, expected("a list of regular expressions")).optional(),
      ask: z.array(pattern, expected("a list of regular expressions")).optional(),
      allow: z.array(pattern, expected("a list of regular expressions")).optional(),
    },
    expected("a mapping with `deny`, `ask` and/or `allow` lists"),
  )
  .strict();

export const rawSupervisorSchema = z
  .object(
    {
      llm: rawLlmSchema.optional(),
      route_timeout: positiveInteger().optional(),
    },
    expected("a mapping (with `llm`)"),
  )
  .strict();

const duration = z.custom<string | number>(
  (value) => durationMs(value) !== null,
  (value) => ({ message: expectedMessage(DURATION_EXPECTED, value) }),
);

/** `retention:` at the top level: how long finished work is kept, and at most how much. */
export const rawRetentionSchema = z
  .object(
    {
      completed: duration.optional(),
      failed: duration.optional(),
      max_tasks: positiveInteger().optional(),
      max_executions: positiveInteger().optional(),
    },
    expected("a mapping with `completed`, `failed`, `max_tasks` and/or `max_executions`"),
  )
  .strict();

/** `limits:` at the top level: the largest inputs the swarm accepts. */
export const rawLimitsSchema = z
  .object(
    {
      task_bytes: z
        .number(expected(`a whole number of bytes from 1 to ${MAX_TASK_BYTES} (64 MiB)`))
        .int()
        .positive()
        .max(MAX_TASK_BYTES)
        .optional(),
    },
    expected("a mapping with `task_bytes`"),
  )
  .strict();

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value.trim());
    return url.protocol === "postgres:" || url.protocol === "postgresql:";
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function regexProblem(source: string): string | null {
  try {
    new RegExp(source);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** `database:`, `memory:` and `llm:` at the top level and an agent's `memory:` (normalized in history-rules.ts). */
const DATABASE_URL_EXPECTED = "a postgres:// or postgresql:// URL";

export const rawDatabaseSchema = z
  .object(
    {
      url: z
        .string(expected(DATABASE_URL_EXPECTED))
        .refine(isPostgresUrl, (value) => ({ message: expectedMessage(DATABASE_URL_EXPECTED, value) }))
        .optional(),
      retention: duration.optional(),
    },
    expected("a mapping with `url` and/or `retention`"),
  )
  .strict();

export const rawMemorySchema = z.object({ expire: duration.optional() }, expected("a mapping with `expire`")).strict();

export const rawSwarmLlmSchema = z.object({ embeddings: rawLlmSchema.optional() }, expected("a mapping with `embeddings`")).strict();

export const rawAgentMemorySchema = z
  .object(
    {
      inject: z.boolean(expected("true or false")).optional(),
      top_k: z.number(expected("a whole number from 1 to 50")).int().min(1).max(50).optional(),
      max_chars: z.number(expected("a whole number from 100 to 100000")).int().min(100).max(100_000).optional(),
    },
    expected("a mapping with `inject`, `top_k` and/or `max_chars`"),
  )
  .strict();

export const rawAgentSchema = z
  .object(
    {
      name: z.string(expected("lowercase letters, digits and hyphens")).regex(AGENT_NAME),
      runtime,
      replicas: positiveInteger().optional(),
      cwd: z.string(expected("a directory path")).min(1).optional(),
      routes: z.array(route, expected("a list of keywords")).optional(),
      env: z.record(envName, envValue, expected("a mapping of variable names to values")).optional(),
      timeout: positiveInteger().optional(),
      mode: mode.optional(),
      command: z.string(expected("a program name or path")).min(1).optional(),
      model: model.optional(),
      node: z
        .union([z.string(), z.number()], expected("a path to a node executable, or a major version such as 22"))
        .refine(
          (value) => String(value).trim() !== "" && (typeof value === "string" || (Number.isInteger(value) && value > 0)),
          (value) => ({
            message: expectedMessage("a path to a node executable, or a major version such as 22", value),
          }),
        )
        .optional(),
      args: z.array(arg, expected("a list of arguments")).optional(),
      worktree: z.boolean(expected("true or false")).optional(),
      commit: z.boolean(expected("true or false")).optional(),
      gate: z
        .string(expected("a shell command"))
        .refine(
          (value) => value.trim() !== "",
          (value) => ({ message: expectedMessage("a shell command", value) }),
        )
        .optional(),
      gate_retries: z
        .number(expected(`a whole number from 0 to ${MAX_GATE_RETRIES}`))
        .int()
        .min(0)
        .max(MAX_GATE_RETRIES)
        .optional(),
      auto_approve: z.boolean(expected("true or false")).optional(),
      record: z.boolean(expected("true or false")).optional(),
      llm: rawLlmSchema.optional(),
      policy: rawPolicySchema.optional(),
      sandbox: rawSandboxSchema.optional(),
      memory: rawAgentMemorySchema.optional(),
      budget: rawAgentBudgetSchema.optional(),
      /** A shipped role's name, a file path or the text; resolved and checked in roles.ts. */
      role: z.string(expected("a role name, a file path or the role's text")).optional(),
      accounts: rawAccountsSchema.optional(),
      hosts: rawAgentHostsSchema,
      labels: rawLabelsSchema,
    },
    expected("a mapping with at least `name` and `runtime`"),
  )
  .strict();

/** `inbox:` at the top level: when items nobody answered escalate (`never` to turn it off), and whether failed tasks open items. */
export const rawInboxSchema = z
  .object(
    {
      escalate_after: z.union([z.literal("never"), duration]).optional(),
      failed_tasks: z.boolean().optional(),
    },
    expected("a mapping with `escalate_after` and/or `failed_tasks`"),
  )
  .strict();

export const rawConfigSchema = z
  .object(
    {
      swarm: z.string(expected(SWARM_NAME_EXPECTED)).regex(SWARM_NAME).optional(),
      agents: z.array(rawAgentSchema, expected("a list of agents")).min(1, "expected at least one agent"),
      default_agent: z.string(expected("an agent name")).optional(),
      supervisor: rawSupervisorSchema.optional(),
      retention: rawRetentionSchema.optional(),
      limits: rawLimitsSchema.optional(),
      /** Checked by api.ts's rawApiSchema (load.ts), which needs this file's messages. */
      api: z.unknown().optional(),
      /** Checked by notify-rules.ts's rawNotifySchema (load.ts), target by target. */
      notify: z.unknown().optional(),
      database: rawDatabaseSchema.optional(),
      memory: rawMemorySchema.optional(),
      llm: rawSwarmLlmSchema.optional(),
      inbox: rawInboxSchema.optional(),
      hosts: rawHostsSchema,
      /** Checked by redis-rules.ts (load.ts), whose messages say where a password goes instead. */
      redis: z.unknown().optional(),
    },
    expected("a mapping with an `agents` list"),
  )
  .strict();

export type RawAgent = z.infer<typeof rawAgentSchema>;
export type RawConfig = z.infer<typeof rawConfigSchema>;
export type RawLlm = z.infer<typeof rawLlmSchema>;
export type RawPolicy = z.infer<typeof rawPolicySchema>;
export type RawSupervisor = z.infer<typeof rawSupervisorSchema>;
export type RawRetention = z.infer<typeof rawRetentionSchema>;
export type RawLimits = z.infer<typeof rawLimitsSchema>;
export type RawDatabase = z.infer<typeof rawDatabaseSchema>;
export type RawMemory = z.infer<typeof rawMemorySchema>;
export type RawSwarmLlm = z.infer<typeof rawSwarmLlmSchema>;
export type RawAgentMemory = z.infer<typeof rawAgentMemorySchema>;

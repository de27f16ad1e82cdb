/**
 * `accounts:` of a program agent: the logins (config folders) or keys it may
 * run with. A usage limit on the account in use moves the agent to the next
 * one (bridge/accounts.ts) instead of parking its queue; only when every
 * account is limited is it parked. Each entry has a `name` and either
 * `config_dir` (that program's config folder holding another login, e.g. a
 * second Claude Code subscription's `~/.claude-work`) or `env` (variables set
 * for that account's runs, e.g. its own `ANTHROPIC_API_KEY`).
 */
import { statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import type { AccountConfig } from "./types.js";

const ACCOUNT_NAME = /^[a-z0-9][a-z0-9-]{0,47}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Programs whose login lives in a config folder of their own that a variable points at (agents/login/specs.ts). */
const CONFIG_DIR_RUNTIMES: readonly string[] = ["claude", "codex", "gemini", "qwen"];
const EXPECTED_ENTRY = "a mapping with `name` and either `config_dir` (a folder) or `env` (variables)";

const show = (value: unknown): string => JSON.stringify(value) ?? "nothing";
const expected = (what: string): { errorMap: z.ZodErrorMap } => ({ errorMap: (_issue, ctx) => ({ message: `expected ${what}, got ${show(ctx.data)}` }) });

export const rawAccountSchema = z
  .object(
    {
      name: z.string(expected("lowercase letters, digits and hyphens (at most 48)")).regex(ACCOUNT_NAME),
      config_dir: z.string(expected("a folder path")).min(1).optional(),
      env: z
        .record(
          z.string().regex(ENV_NAME, "expected a variable name of letters, digits and underscores"),
          z.union([z.string(), z.number(), z.boolean()], expected("a string, number or boolean")),
          expected("a mapping of variable names to values"),
        )
        .optional(),
    },
    expected(EXPECTED_ENTRY),
  )
  .strict();

export const rawAccountsSchema = z.array(rawAccountSchema, expected(`a list of accounts (${EXPECTED_ENTRY})`));

export type RawAccount = z.infer<typeof rawAccountSchema>;

/** Cross-field rules: which agents may have accounts, unique names, one kind of login per entry, folders that exist. */
export function accountProblems(agent: Record<string, unknown>, index: number, baseDir: string): string[] {
  const accounts = agent.accounts;
  if (accounts === undefined) return [];
  const at = `agents.${index}.accounts`;
  if (agent.runtime === "shell") return [`${at}: a shell agent runs commands, not a program with a login; accounts are for program agents`];
  if (!Array.isArray(accounts)) return []; // the schema reports it
  const problems: string[] = [];
  if (accounts.length < 2) problems.push(`${at}: list at least two accounts (with one, a usage limit has nowhere to go: leave \`accounts\` out)`);
  const seen = new Map<string, number>();
  accounts.forEach((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null) return;
    const { name, config_dir: dir, env } = entry as { name?: unknown; config_dir?: unknown; env?: unknown };
    if (typeof name === "string") {
      const earlier = seen.get(name);
      if (earlier === undefined) seen.set(name, i);
      else problems.push(`${at}.${i}.name: duplicate account name ${show(name)} (also ${at}.${earlier})`);
    }
    if ((dir === undefined) === (env === undefined))
      problems.push(`${at}.${i}: give either \`config_dir\` or \`env\`, not ${dir === undefined ? "neither" : "both"}`);
    if (typeof dir === "string" && dir !== "") {
      if (typeof agent.runtime === "string" && !CONFIG_DIR_RUNTIMES.includes(agent.runtime))
        problems.push(`${at}.${i}.config_dir: the ${agent.runtime} runtime has no login folder; give the account's key in \`env\``);
      else if (!isDirectory(expandPath(dir, baseDir)))
        problems.push(`${at}.${i}.config_dir: ${expandPath(dir, baseDir)} is not a folder (log in there first, e.g. CLAUDE_CONFIG_DIR=${dir} claude)`);
    }
  });
  return problems;
}

export function normalizeAccounts(raw: readonly RawAccount[] | undefined, baseDir: string): readonly AccountConfig[] | undefined {
  if (raw === undefined) return undefined;
  return Object.freeze(
    raw.map((entry) =>
      Object.freeze({
        name: entry.name,
        configDir: entry.config_dir === undefined ? null : expandPath(entry.config_dir, baseDir),
        env: Object.freeze(Object.fromEntries(Object.entries(entry.env ?? {}).map(([key, value]) => [key, String(value)]))),
      }),
    ),
  );
}

/** An agent's variables and its accounts' (whose values are secrets to redact and never to store). */
export function agentEnvs(agent: {
  readonly env: Readonly<Record<string, string>>;
  readonly accounts?: readonly AccountConfig[];
}): Readonly<Record<string, string>>[] {
  return [agent.env, ...(agent.accounts ?? []).map((account) => account.env)];
}

/**
 * Where the agent runs with a `config_dir` account: a folder of the swarm's
 * own, seeded from the account's login (as an agent's folder is from the
 * user's), so the swarm's settings and hooks never land in the user's folder.
 */
export function accountConfigDir(home: string, agent: string, account: string): string {
  return join(home, "agents", agent, "accounts", account, "config");
}

/** `~/` is the user's home; other relative paths are relative to swarm.yaml. */
function expandPath(path: string, baseDir: string): string {
  if (path === "~" || path.startsWith("~/")) return join(homedir(), path.slice(1));
  return resolve(baseDir, path);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

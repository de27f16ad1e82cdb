/**
 * What the accounts tests share (test/gates/accounts*.test.ts): the real
 * Claude Code against our scripted Anthropic server, which answers every
 * request carrying a key it was told is limited with a usage-limit 429, and
 * the keys of the accounts, by name.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startAnthropicServer, type AnthropicServer } from "../fixtures/llm/anthropic.js";
import { startTestSwarm, tempHome, type TestSwarm } from "../helpers/swarm.js";
import { claudeAgent } from "./support.js";

/** Each account's key: `env` accounts (a, b) give it as ANTHROPIC_API_KEY; logins (home, work) keep it in their `.claude.json`. */
export const ACCOUNT_KEYS = {
  a: "sk-ant-test-account-a-0000000000000000",
  b: "sk-ant-test-account-b-0000000000000000",
  home: "sk-ant-test-login-home-000000000000000",
  work: "sk-ant-test-login-work-000000000000000",
} as const;
export type AccountName = keyof typeof ACCOUNT_KEYS;

export interface AccountsSwarm {
  readonly llm: AnthropicServer;
  readonly swarm: TestSwarm;
  /** The keys the scripted server answers with a usage limit; a test may change it as it goes. */
  readonly limitedKeys: Set<string>;
  /** The user's login folders, as `CLAUDE_CONFIG_DIR=… claude` leaves them: `home` and `work`. */
  readonly logins: string;
  /** The account whose key each agent request carried, in order, from request `from` on ("?" for another key). */
  keysSince(from: number): string[];
  close(): Promise<void>;
}

export interface AccountsSwarmOptions {
  /** The keys limited from the start. */
  readonly limited: readonly AccountName[];
  /** swarm.yaml's agents, given the scripted server's url, a working folder and the login folders. */
  readonly agents: (at: { url: string; work: string; logins: string }) => string;
  readonly tuning?: Readonly<Record<string, number>>;
  /** The daemon's environment besides the test's own. */
  readonly env?: NodeJS.ProcessEnv;
}

export async function startAccountsSwarm(options: AccountsSwarmOptions): Promise<AccountsSwarm> {
  const limitedKeys = new Set<string>(options.limited.map((name) => ACCOUNT_KEYS[name]));
  const llm = await startAnthropicServer({ limitedKeys });
  const home = tempHome();
  const work = join(home, "work");
  mkdirSync(work);
  const logins = join(home, "logins");
  for (const name of ["home", "work"] as const) {
    mkdirSync(join(logins, name), { recursive: true });
    writeFileSync(join(logins, name, ".claude.json"), JSON.stringify({ primaryApiKey: ACCOUNT_KEYS[name] }));
  }
  const yaml = `agents:${options.agents({ url: llm.url, work, logins })}`;
  const env = { ...options.env, CLAUDE_AGENT_TUNING: JSON.stringify(options.tuning ?? {}) };
  const swarm = await startTestSwarm(yaml, { home, env }).catch(async (error) => {
    await llm.close();
    throw error;
  });
  const names = Object.entries(ACCOUNT_KEYS);
  return {
    llm,
    swarm,
    limitedKeys,
    logins,
    keysSince: (from) =>
      llm
        .agentRequests()
        .slice(from)
        .map((request) => names.find(([, key]) => request.authorization?.includes(key))?.[0] ?? "?"),
    async close() {
      // An interactive Claude Code may still write to its config folder while `down` stops it: removal can race that once.
      await swarm.destroy().catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        rmSync(swarm.home, { recursive: true, force: true });
      });
      await llm.close();
    },
  };
}

/** A Claude Code agent with `accounts:` (YAML flow entries, one a line) and no key of its own; `own` adds lines (indented 4). */
export function accountsAgent(name: string, url: string, cwd: string, accounts: readonly string[], own = ""): string {
  // No key of its own: each account brings its login (or its key) instead.
  return claudeAgent(name, url, cwd, own, `    accounts:\n${accounts.map((account) => `      - ${account}\n`).join("")}`, { apiKey: false });
}

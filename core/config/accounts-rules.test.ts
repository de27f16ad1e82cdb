import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { accountConfigDir, agentEnvs, parseConfig } from "./index.js";

const base = mkdtempSync(join(tmpdir(), "ca-accounts-config-"));
mkdirSync(join(base, "work-login"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const options = { file: join(base, "swarm.yaml"), baseDir: base };
const yaml = (runtime: string, accounts: string) => `agents:\n  - name: coder\n    runtime: ${runtime}\n    accounts:\n${accounts}`;
const load = (runtime: string, accounts: string) => parseConfig(yaml(runtime, accounts), options).agents[0]!;

function problems(runtime: string, accounts: string): readonly string[] {
  try {
    load(runtime, accounts);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("an agent's `accounts`", () => {
  it("is absent by default: the agent has its one login, as before", () => {
    expect(parseConfig("agents:\n  - name: coder\n    runtime: claude\n", options).agents[0]!.accounts).toBeUndefined();
  });

  it("reads login folders (resolved against the file) and keys, in order", () => {
    const agent = load("claude", "      - { name: personal, config_dir: work-login }\n      - { name: team, env: { ANTHROPIC_API_KEY: sk-2, RETRIES: 3 } }\n");
    expect(agent.accounts).toEqual([
      { name: "personal", configDir: join(base, "work-login"), env: {} },
      { name: "team", configDir: null, env: { ANTHROPIC_API_KEY: "sk-2", RETRIES: "3" } },
    ]);
    // The keys are secrets like the agent's own env: redacted and never stored.
    expect(agentEnvs(agent)).toContainEqual({ ANTHROPIC_API_KEY: "sk-2", RETRIES: "3" });
    expect(accountConfigDir("/h", "coder", "personal")).toBe("/h/agents/coder/accounts/personal/config");
  });

  it("is refused on a shell agent, which has no program to log in", () => {
    expect(problems("shell", "      - { name: a, env: { X: 1 } }\n      - { name: b, env: { X: 2 } }\n")).toEqual([
      "swarm.yaml: agents.0.accounts: a shell agent runs commands, not a program with a login; accounts are for program agents",
    ]);
  });

  it("refuses duplicate names, an entry with both or neither login, a missing folder and a single account, each with its path", () => {
    const found = problems(
      "claude",
      "      - { name: a, env: { K: 1 } }\n      - { name: a, env: { K: 2 } }\n      - { name: b }\n      - { name: c, env: { K: 3 }, config_dir: work-login }\n      - { name: d, config_dir: nowhere }\n",
    );
    expect(found).toEqual([
      'swarm.yaml: agents.0.accounts.1.name: duplicate account name "a" (also agents.0.accounts.0)',
      "swarm.yaml: agents.0.accounts.2: give either `config_dir` or `env`, not neither",
      "swarm.yaml: agents.0.accounts.3: give either `config_dir` or `env`, not both",
      `swarm.yaml: agents.0.accounts.4.config_dir: ${join(base, "nowhere")} is not a folder (log in there first, e.g. CLAUDE_CONFIG_DIR=nowhere claude)`,
    ]);
    expect(problems("claude", "      - { name: only, env: { K: 1 } }\n")).toEqual([
      "swarm.yaml: agents.0.accounts: list at least two accounts (with one, a usage limit has nowhere to go: leave `accounts` out)",
    ]);
  });

  it("refuses a login folder for a program without one, bad names and unknown keys", () => {
    expect(problems("langchain", "      - { name: a, config_dir: work-login }\n      - { name: b, env: { K: 1 } }\n")).toContain(
      "swarm.yaml: agents.0.accounts.0.config_dir: the langchain runtime has no login folder; give the account's key in `env`",
    );
    expect(problems("claude", "      - { name: Big, env: { K: 1 } }\n      - { name: b, configDir: x }\n")).toEqual([
      'swarm.yaml: agents.0.accounts.0.name: expected lowercase letters, digits and hyphens (at most 48), got "Big"',
      "swarm.yaml: agents.0.accounts.1.configDir: unknown key",
      "swarm.yaml: agents.0.accounts.1: give either `config_dir` or `env`, not neither",
    ]);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentConfig } from "../core/index.js";
import { programLogin } from "./agent-login.js";

const agent = { name: "coder", runtime: "claude", env: { ANTHROPIC_BASE_URL: "http://127.0.0.1:1" } } as unknown as AgentConfig;
const NO_KEY = { ANTHROPIC_API_KEY: "" };
const ignore = () => undefined;

describe("an interactive program's login", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The agent's own folder and an account's, each with or without a login. */
  function folders(withLogin: { own: boolean; account: boolean }): { own: string; account: string } {
    dir = mkdtempSync(join(tmpdir(), "ca-login-"));
    const made = { own: join(dir, "config"), account: join(dir, "accounts", "work", "config") };
    for (const which of ["own", "account"] as const) {
      mkdirSync(made[which], { recursive: true });
      if (withLogin[which]) writeFileSync(join(made[which], ".claude.json"), JSON.stringify({ primaryApiKey: "sk-ant-login" }));
    }
    return made;
  }

  it("is looked for in the folder the program was started with (its account's), not the agent's own", () => {
    const logged = folders({ own: false, account: true });
    expect(programLogin(agent, { configDir: logged.account, env: {} }, ignore, NO_KEY)?.ok).toBe(true);
    const empty = folders({ own: true, account: false });
    expect(programLogin(agent, { configDir: empty.account, env: {} }, ignore, NO_KEY)?.ok).toBe(false);
  });

  it("is the key the program was started with, for an account given as variables", () => {
    const { own } = folders({ own: false, account: false });
    expect(programLogin(agent, { configDir: own, env: {} }, ignore, NO_KEY)?.ok).toBe(false);
    expect(programLogin(agent, { configDir: own, env: { ANTHROPIC_API_KEY: "sk-ant-account-b" } }, ignore, NO_KEY)?.ok).toBe(true);
  });
});

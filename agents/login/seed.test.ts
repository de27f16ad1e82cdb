import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentLogin } from "./agent-login.js";
import { seedLogin } from "./seed.js";

const YEAR = 365 * 24 * 3600 * 1000;
let root = "";
let user = "";
let configDir = "";

function claudeCredentials(token: string, expiresAt = Date.now() + YEAR, refresh = "sk-ant-ort01-refresh"): string {
  return JSON.stringify({ claudeAiOauth: { accessToken: token, refreshToken: refresh, expiresAt, scopes: ["user:inference"], subscriptionType: "pro" } });
}

function seed(runtime: string, agentEnv: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
  return seedLogin({ runtime, configDir, agentEnv, userHome: user, userEnv: env });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "ca-login-"));
  user = join(root, "user");
  configDir = join(root, "home", "agents", "coder", "config");
  mkdirSync(join(user, ".claude"), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("seeding an agent's folder from the user's own login", () => {
  it("copies Claude Code's credentials with mode 0600 and merges the account into its .claude.json", () => {
    writeFileSync(join(user, ".claude", ".credentials.json"), claudeCredentials("sk-ant-oat01-first"), { mode: 0o644 });
    writeFileSync(
      join(user, ".claude.json"),
      JSON.stringify({ oauthAccount: { emailAddress: "me@example.com", accountUuid: "a-1" }, numStartups: 9, projects: { "/x": {} } }),
    );
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, ".claude.json"), JSON.stringify({ hasCompletedOnboarding: true }));
    const report = seed("claude");
    const copy = join(configDir, ".credentials.json");
    expect(report.written).toEqual([copy, join(configDir, ".claude.json")]);
    expect(readFileSync(copy, "utf8")).toContain("sk-ant-oat01-first");
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    const state = JSON.parse(readFileSync(join(configDir, ".claude.json"), "utf8"));
    // Only the login's fields: the user's other state (projects, counters) stays the user's.
    expect(state).toEqual({ hasCompletedOnboarding: true, oauthAccount: { emailAddress: "me@example.com", accountUuid: "a-1" } });
    expect(statSync(join(configDir, ".claude.json")).mode & 0o777).toBe(0o600);
  });

  it("refreshes the copy when the user's file changes, and leaves the program's own renewal alone otherwise", () => {
    const mine = join(user, ".claude", ".credentials.json");
    writeFileSync(mine, claudeCredentials("sk-ant-oat01-first"));
    seed("claude");
    const copy = join(configDir, ".credentials.json");
    // The program renewed its own token: the user's unchanged file must not overwrite it.
    writeFileSync(copy, claudeCredentials("sk-ant-oat01-renewed-by-agent"));
    expect(seed("claude").written).toEqual([]);
    expect(readFileSync(copy, "utf8")).toContain("renewed-by-agent");
    // The user logged in again: the new login reaches the agent.
    writeFileSync(mine, claudeCredentials("sk-ant-oat01-second"));
    expect(seed("claude").written).toEqual([copy]);
    expect(readFileSync(copy, "utf8")).toContain("sk-ant-oat01-second");
    // A deleted copy is made again.
    rmSync(copy);
    expect(seed("claude").written).toEqual([copy]);
  });

  it("copies nothing for an agent that sets its own key in env", () => {
    writeFileSync(join(user, ".claude", ".credentials.json"), claudeCredentials("sk-ant-oat01-first"));
    const report = seed("claude", { ANTHROPIC_API_KEY: "sk-ant-own" });
    expect(report.written).toEqual([]);
    expect(report.skipped).toContain("ANTHROPIC_API_KEY");
    expect(existsSync(join(configDir, ".credentials.json"))).toBe(false);
  });

  it("follows CLAUDE_CONFIG_DIR, CODEX_HOME and QWEN_HOME of the user's environment, and Gemini's .gemini folder", () => {
    const own = join(root, "elsewhere");
    mkdirSync(own);
    writeFileSync(join(own, ".credentials.json"), claudeCredentials("sk-ant-oat01-moved"));
    seed("claude", {}, { CLAUDE_CONFIG_DIR: own });
    expect(readFileSync(join(configDir, ".credentials.json"), "utf8")).toContain("moved");

    writeFileSync(join(own, "auth.json"), JSON.stringify({ OPENAI_API_KEY: null, tokens: { refresh_token: "r", access_token: "a" } }));
    seed("codex", {}, { CODEX_HOME: own });
    expect(JSON.parse(readFileSync(join(configDir, "auth.json"), "utf8")).tokens.refresh_token).toBe("r");

    mkdirSync(join(user, ".gemini"));
    writeFileSync(join(user, ".gemini", "oauth_creds.json"), JSON.stringify({ access_token: "a", refresh_token: "r", expiry_date: Date.now() + YEAR }));
    writeFileSync(join(user, ".gemini", "settings.json"), JSON.stringify({ security: { auth: { selectedType: "oauth-personal" } }, ui: { theme: "x" } }));
    seed("gemini");
    expect(statSync(join(configDir, ".gemini", "oauth_creds.json")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(configDir, ".gemini", "settings.json"), "utf8"))).toEqual({ security: { auth: { selectedType: "oauth-personal" } } });
  });

  it("replaces a symlink planted at the copy's place instead of writing through it, and refuses a symlinked folder", () => {
    writeFileSync(join(user, ".claude", ".credentials.json"), claudeCredentials("sk-ant-oat01-first"));
    mkdirSync(configDir, { recursive: true });
    const victim = join(root, "victim");
    writeFileSync(victim, "untouched");
    symlinkSync(victim, join(configDir, ".credentials.json"));
    seed("claude");
    expect(readFileSync(victim, "utf8")).toBe("untouched");
    expect(readFileSync(join(configDir, ".credentials.json"), "utf8")).toContain("sk-ant-oat01-first");

    mkdirSync(join(user, ".gemini"));
    writeFileSync(join(user, ".gemini", "oauth_creds.json"), "{}");
    mkdirSync(join(root, "outside"));
    symlinkSync(join(root, "outside"), join(configDir, ".gemini"));
    expect(() => seed("gemini")).toThrow(/not a folder of the agent's own/);
    expect(existsSync(join(root, "outside", "oauth_creds.json"))).toBe(false);
  });
});

describe("an agent's login, checked offline", () => {
  const check = (runtime: string, seedFirst: boolean, agentEnv: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) =>
    agentLogin({ runtime, configDir, agentEnv, env, userHome: user, seed: seedFirst })!;

  it("fails an agent whose folder has no login while the user has none either, naming the file", () => {
    const login = check("claude", true);
    expect(login.auth.ok).toBe(false);
    expect(login.auth.detail).toContain(join(configDir, ".credentials.json"));
  });

  it("does not take the user's ~/.claude for the agent's login: it says `up` copies it in", () => {
    writeFileSync(join(user, ".claude", ".credentials.json"), claudeCredentials("sk-ant-oat01-first"));
    const looked = check("claude", false);
    expect(looked.auth).toMatchObject({ ok: true });
    expect(looked.auth.detail).toMatch(/^not in its folder yet; `up` copies in your own login/);
    expect(existsSync(join(configDir, ".credentials.json"))).toBe(false);
    expect(check("claude", true).auth.detail).toMatch(new RegExp(`^logged in \\(${configDir}/.credentials.json; valid until`));
  });

  it("fails an expired login without a refresh token, and accepts one that can be renewed", () => {
    writeFileSync(join(user, ".claude", ".credentials.json"), claudeCredentials("sk-ant-oat01-old", Date.now() - 1000, ""));
    expect(check("claude", true).auth).toMatchObject({ ok: false, detail: expect.stringContaining("expired at") });
    writeFileSync(join(user, ".claude", ".credentials.json"), claudeCredentials("sk-ant-oat01-old", Date.now() - 1000));
    expect(check("claude", true).auth).toMatchObject({ ok: true, detail: expect.stringContaining("renews it with its refresh token") });
  });

  it("accepts a key in the agent's env or in the swarm's environment", () => {
    expect(check("codex", true, { OPENAI_API_KEY: "sk-x" }).auth).toEqual({ ok: true, detail: "OPENAI_API_KEY set in its env" });
    expect(check("gemini", true, {}, { GEMINI_API_KEY: "g" }).auth.detail).toBe("GEMINI_API_KEY set in the environment the swarm starts with");
  });

  it("has nothing to say about runtimes without a login", () => {
    expect(agentLogin({ runtime: "shell", configDir, agentEnv: {}, seed: true })).toBeNull();
  });
});

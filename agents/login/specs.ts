/**
 * Where each agent program keeps a login, read from the installed releases
 * (Claude Code 2.1.332, Codex 0.171.0, Gemini CLI 0.61.0, Qwen Code 0.24.4):
 *
 * - Claude Code: `$CLAUDE_CONFIG_DIR/.credentials.json` (default `~/.claude`;
 *   `{claudeAiOauth: {accessToken, refreshToken, expiresAt}}`, expiresAt in
 *   ms), and the account (`oauthAccount`, an older console login's
 *   `primaryApiKey`) in `.claude.json`: `$CLAUDE_CONFIG_DIR/.claude.json`, or
 *   `~/.claude.json` without the variable. `claude auth login` signs in.
 * - Codex: `$CODEX_HOME/auth.json` (default `~/.codex`; an `OPENAI_API_KEY`
 *   or `tokens.refresh_token`). `codex login`.
 * - Gemini CLI: `$GEMINI_CLI_HOME/.gemini/oauth_creds.json` (default the
 *   home; `refresh_token`, `expiry_date` in ms), the account in
 *   `google_accounts.json`, the chosen method in settings.json's
 *   `security.auth`. No login command: the program asks on its first start.
 * - Qwen Code: `$QWEN_HOME` (default `~/.qwen`): `oauth_creds.json`, and what
 *   `qwen auth` writes to settings.json (`security.auth`, keys under `env`,
 *   `modelProviders`).
 */
import { join } from "node:path";

export type LoginRuntime = "claude" | "codex" | "gemini" | "qwen";

/** A file of the user's, copied whole into the agent's folder (`to` relative to it). */
export interface SeedFile {
  readonly from: string;
  readonly to: string;
}

/** Fields (dotted paths) of a user's JSON file, merged into a JSON file of the agent's folder. */
export interface SeedFields extends SeedFile {
  readonly fields: readonly string[];
}

export interface LoginSpec {
  readonly runtime: LoginRuntime;
  /** The variable that points the program at the agent's folder. */
  readonly configVar: string;
  /** Variables any one of which authenticates the program without a login. */
  readonly keyVars: readonly string[];
  /** The user's own login, found from the user's home and environment. */
  sources(userHome: string, env: NodeJS.ProcessEnv): { files: SeedFile[]; fields: SeedFields[] };
  /** The user's own folder of the program, laid out as an agent's folder is. */
  userDir(userHome: string, env: NodeJS.ProcessEnv): string;
  /** The login command's arguments (after the program), run in the agent's folder. */
  readonly loginArgs: readonly string[];
}

export const LOGIN_SPECS: Readonly<Record<LoginRuntime, LoginSpec>> = {
  claude: {
    runtime: "claude",
    configVar: "CLAUDE_CONFIG_DIR",
    keyVars: [
      "ANTHROPIC_API_KEY",
      "ANTHROPIC_AUTH_TOKEN",
      "CLAUDE_CODE_OAUTH_TOKEN",
      "CLAUDE_CODE_USE_BEDROCK",
      "CLAUDE_CODE_USE_VERTEX",
      "CLAUDE_CODE_USE_FOUNDRY",
    ],
    sources(home, env) {
      const dir = env.CLAUDE_CONFIG_DIR || join(home, ".claude");
      const state = env.CLAUDE_CONFIG_DIR ? join(env.CLAUDE_CONFIG_DIR, ".claude.json") : join(home, ".claude.json");
      return {
        files: [{ from: join(dir, ".credentials.json"), to: ".credentials.json" }],
        fields: [{ from: state, to: ".claude.json", fields: ["oauthAccount", "primaryApiKey"] }],
      };
    },
    userDir: (home, env) => env.CLAUDE_CONFIG_DIR || join(home, ".claude"),
    loginArgs: ["auth", "login"],
  },
  codex: {
    runtime: "codex",
    configVar: "CODEX_HOME",
    keyVars: ["CODEX_API_KEY", "OPENAI_API_KEY"],
    sources(home, env) {
      return { files: [{ from: join(env.CODEX_HOME || join(home, ".codex"), "auth.json"), to: "auth.json" }], fields: [] };
    },
    userDir: (home, env) => env.CODEX_HOME || join(home, ".codex"),
    loginArgs: ["login"],
  },
  gemini: {
    runtime: "gemini",
    configVar: "GEMINI_CLI_HOME",
    keyVars: ["GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_APPLICATION_CREDENTIALS"],
    sources(home, env) {
      const dir = join(env.GEMINI_CLI_HOME || home, ".gemini");
      return {
        files: [
          { from: join(dir, "oauth_creds.json"), to: join(".gemini", "oauth_creds.json") },
          { from: join(dir, "google_accounts.json"), to: join(".gemini", "google_accounts.json") },
        ],
        fields: [{ from: join(dir, "settings.json"), to: join(".gemini", "settings.json"), fields: ["security.auth"] }],
      };
    },
    userDir: (home, env) => env.GEMINI_CLI_HOME || home,
    loginArgs: [],
  },
  qwen: {
    runtime: "qwen",
    configVar: "QWEN_HOME",
    keyVars: ["OPENAI_API_KEY", "DASHSCOPE_API_KEY", "BAILIAN_CODING_PLAN_API_KEY"],
    sources(home, env) {
      const dir = env.QWEN_HOME || join(home, ".qwen");
      return {
        files: [{ from: join(dir, "oauth_creds.json"), to: "oauth_creds.json" }],
        fields: [{ from: join(dir, "settings.json"), to: "settings.json", fields: ["security.auth", "env", "modelProviders"] }],
      };
    },
    userDir: (home, env) => env.QWEN_HOME || join(home, ".qwen"),
    loginArgs: ["auth"],
  },
};

export function loginSpec(runtime: string): LoginSpec | null {
  return Object.hasOwn(LOGIN_SPECS, runtime) ? LOGIN_SPECS[runtime as LoginRuntime] : null;
}

/** The key variables an agent's own `env` sets (then its folder gets no copy of the user's login). */
export function ownKeys(spec: LoginSpec, agentEnv: Readonly<Record<string, string>>): string[] {
  return spec.keyVars.filter((name) => (agentEnv[name] ?? "") !== "");
}

/**
 * Which agent programs this machine has, for `doctor` and `init`: found on
 * PATH or in a node_modules/.bin (the project's, or claude-agent's own),
 * their `--version` (bounded: a program that hangs must not hang doctor),
 * and whether each can run a task: an API key in the environment, or a
 * login file where the program keeps it.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findExecutable, pathDirs, probeVersion } from "../agents/index.js";
import type { ProgramExample } from "../core/index.js";

interface ProgramSpec {
  readonly runtime: ProgramExample["runtime"];
  /** Variables any one of which lets the program authenticate. */
  readonly keyVars: readonly string[];
  /** Where a login (OAuth) leaves its credentials, relative to the user's home unless a variable moves them. */
  readonly loginFiles: (home: string, env: NodeJS.ProcessEnv) => string[];
  readonly install: string;
  readonly login: string;
}

/**
 * Credential locations, from each program's documentation and sources:
 * Claude Code `~/.claude/.credentials.json` (Linux; the macOS Keychain is not
 * visible from here) or `$CLAUDE_CONFIG_DIR`; Codex `$CODEX_HOME/auth.json`;
 * Gemini CLI `~/.gemini/oauth_creds.json`; Qwen Code `~/.qwen/oauth_creds.json`;
 * aider has no login of its own besides OpenRouter's, saved in `~/.aider/oauth-keys.env`.
 */
export const PROGRAMS: readonly ProgramSpec[] = [
  {
    runtime: "claude",
    keyVars: ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX"],
    loginFiles: (home, env) => [join(env.CLAUDE_CONFIG_DIR || join(home, ".claude"), ".credentials.json")],
    install: "npm install -g @anthropic-ai/claude-code",
    login: "claude /login",
  },
  {
    runtime: "codex",
    keyVars: ["CODEX_API_KEY", "OPENAI_API_KEY"],
    loginFiles: (home, env) => [join(env.CODEX_HOME || join(home, ".codex"), "auth.json")],
    install: "npm install -g @openai/codex",
    login: "codex login",
  },
  {
    runtime: "gemini",
    keyVars: ["GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_APPLICATION_CREDENTIALS"],
    loginFiles: (home) => [join(home, ".gemini", "oauth_creds.json")],
    install: "npm install -g @google/gemini-cli",
    login: 'gemini (choose "Sign in with Google")',
  },
  {
    runtime: "qwen",
    keyVars: ["OPENAI_API_KEY", "DASHSCOPE_API_KEY", "BAILIAN_CODING_PLAN_API_KEY"],
    loginFiles: (home) => [join(home, ".qwen", "oauth_creds.json")],
    install: "npm install -g @qwen-code/qwen-code",
    login: "qwen auth",
  },
  {
    runtime: "aider",
    keyVars: ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENROUTER_API_KEY", "GEMINI_API_KEY", "DEEPSEEK_API_KEY"],
    loginFiles: (home) => [join(home, ".aider", "oauth-keys.env")],
    install: "python -m pip install aider-install && aider-install",
    login: "aider (it offers an OpenRouter login)",
  },
];

export interface ProgramReport {
  readonly runtime: ProgramExample["runtime"];
  readonly installed: boolean;
  /** The executable found, or null. */
  readonly path: string | null;
  /** The first line `--version` printed, or null when it failed or took too long. */
  readonly version: string | null;
  readonly ready: boolean;
  /** What was found (never a secret's value). */
  readonly detail: string;
  /** How to make it installed and ready. */
  readonly fix?: string;
}

export interface DiscoverOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** The user's project: its node_modules/.bin is searched after PATH. */
  readonly cwd?: string;
  /** The user's home, where logins are kept. */
  readonly userHome?: string;
  readonly versionTimeoutMs?: number;
}

/**
 * A program's first `--version` may be slow (Gemini CLI: 5–13 s on a loaded 2-core machine); its answer is then
 * remembered (agents/version-cache.ts), so only a program that really hangs costs this wait again.
 */
const VERSION_TIMEOUT_MS = 20_000;

export async function discoverPrograms(options: DiscoverOptions = {}): Promise<ProgramReport[]> {
  const env = options.env ?? process.env;
  const dirs = searchDirs(env, options.cwd ?? process.cwd());
  const home = options.userHome ?? homedir();
  return Promise.all(PROGRAMS.map((spec) => report(spec, dirs, home, env, options.versionTimeoutMs ?? VERSION_TIMEOUT_MS)));
}

async function report(spec: ProgramSpec, dirs: readonly string[], home: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ProgramReport> {
  const path = findExecutable(spec.runtime, dirs);
  const keys = spec.keyVars.filter((name) => (env[name] ?? "") !== "");
  const login = spec.loginFiles(home, env).find((file) => existsSync(file));
  const readyBy = keys.length > 0 ? `${keys.join(", ")} set` : login ? `logged in (${login})` : null;
  if (!path) {
    return { runtime: spec.runtime, installed: false, path: null, version: null, ready: false, detail: "not installed", fix: spec.install };
  }
  const version = await probeVersion(path, { env, timeoutMs });
  const where = `${path}${version ? ` (${version})` : " (--version failed)"}`;
  if (readyBy) return { runtime: spec.runtime, installed: true, path, version, ready: true, detail: `${where}; ${readyBy}` };
  return {
    runtime: spec.runtime,
    installed: true,
    path,
    version,
    ready: false,
    detail: `${where}; no API key (${spec.keyVars.slice(0, 2).join(" or ")}) and no login found`,
    fix: `set ${spec.keyVars[0]} (in your shell, or in the agent's env: in swarm.yaml), or log in: ${spec.login}`,
  };
}

/** Where an agent's program is: its `command` (a path, or a name looked up like the programs above), or the runtime's own name. */
export function locateProgram(name: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | null {
  if (name.includes("/")) return findExecutable(basename(name), [dirname(name)]);
  return findExecutable(name, searchDirs(env, cwd));
}

/** PATH first, then node_modules/.bin of the project and of claude-agent itself. */
function searchDirs(env: NodeJS.ProcessEnv, cwd: string): string[] {
  const dirs = pathDirs(env.PATH);
  dirs.push(join(cwd, "node_modules", ".bin"));
  const own = ownBinDir();
  if (own) dirs.push(own);
  return [...new Set(dirs)];
}

/** claude-agent's own node_modules/.bin: up from this module (cli/ when run from source, dist/cli/ when built). */
function ownBinDir(): string | null {
  const root = packageRoot();
  return root && existsSync(join(root, "node_modules", ".bin")) ? join(root, "node_modules", ".bin") : null;
}

/** claude-agent's own version, from its package.json ("?" when that cannot be read). */
export function ownVersion(): string {
  const root = packageRoot();
  try {
    const version = (JSON.parse(readFileSync(join(root ?? "", "package.json"), "utf8")) as { version?: unknown }).version;
    return typeof version === "string" ? version : "?";
  } catch {
    return "?";
  }
}

/** claude-agent's own folder (where its package.json and CONFORMANCE.md are), up from this module. */
export function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "node_modules"))) return dir;
    dir = dirname(dir);
  }
  return null;
}

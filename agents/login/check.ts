/**
 * Whether an agent's program can authenticate, checked offline (no program
 * is run, nothing leaves the machine): a key variable in the agent's `env` or
 * in the environment the swarm starts with, or a login in the agent's own
 * folder that has not expired (an access token past its time still counts
 * when a refresh token comes with it: the program renews it).
 */
import { join } from "node:path";
import { readJsonObject } from "./files.js";
import { loginSpec, ownKeys, type LoginRuntime } from "./specs.js";

export interface AuthStatus {
  readonly ok: boolean;
  /** What was found (never a secret's value). */
  readonly detail: string;
}

export interface AuthOptions {
  readonly runtime: string;
  readonly configDir: string;
  readonly agentEnv: Readonly<Record<string, string>>;
  /** The environment the swarm's panes inherit. */
  readonly baseEnv: NodeJS.ProcessEnv;
  readonly now?: number;
}

export function checkAuth(options: AuthOptions): AuthStatus | null {
  const spec = loginSpec(options.runtime);
  if (!spec) return null;
  const own = ownKeys(spec, options.agentEnv);
  if (own.length > 0) return { ok: true, detail: `${own.join(", ")} set in its env` };
  const inherited = spec.keyVars.filter((name) => (options.baseEnv[name] ?? "") !== "");
  if (inherited.length > 0) return { ok: true, detail: `${inherited.join(", ")} set in the environment the swarm starts with` };
  return FOLDER_CHECKS[spec.runtime](options.configDir, options.now ?? Date.now());
}

type FolderCheck = (dir: string, now: number) => AuthStatus;

const FOLDER_CHECKS: Record<LoginRuntime, FolderCheck> = {
  claude(dir, now) {
    const file = join(dir, ".credentials.json");
    const oauth = readJsonObject(file)?.claudeAiOauth;
    if (isObject(oauth) && typeof oauth.accessToken === "string" && oauth.accessToken !== "") {
      return tokenStatus(file, oauth.expiresAt, typeof oauth.refreshToken === "string" && oauth.refreshToken !== "", now);
    }
    const key = readJsonObject(join(dir, ".claude.json"))?.primaryApiKey;
    if (typeof key === "string" && key !== "") return { ok: true, detail: `an API key in ${join(dir, ".claude.json")}` };
    return missing(file);
  },
  codex(dir) {
    const file = join(dir, "auth.json");
    const auth = readJsonObject(file);
    if (!auth) return missing(file);
    if (typeof auth.OPENAI_API_KEY === "string" && auth.OPENAI_API_KEY !== "") return { ok: true, detail: `an API key in ${file}` };
    const tokens = auth.tokens;
    if (isObject(tokens) && (nonEmpty(tokens.refresh_token) || nonEmpty(tokens.access_token))) return { ok: true, detail: `logged in (${file})` };
    return { ok: false, detail: `${file} holds neither a key nor tokens` };
  },
  gemini(dir, now) {
    const file = join(dir, ".gemini", "oauth_creds.json");
    const creds = readJsonObject(file);
    if (!creds || !(nonEmpty(creds.access_token) || nonEmpty(creds.refresh_token))) return missing(file);
    return tokenStatus(file, creds.expiry_date, nonEmpty(creds.refresh_token), now);
  },
  qwen(dir, now) {
    const file = join(dir, "oauth_creds.json");
    const creds = readJsonObject(file);
    if (creds && (nonEmpty(creds.access_token) || nonEmpty(creds.refresh_token)))
      return tokenStatus(file, creds.expiry_date, nonEmpty(creds.refresh_token), now);
    const settings = join(dir, "settings.json");
    const env = readJsonObject(settings)?.env;
    const keys = isObject(env) ? Object.keys(env).filter((name) => /(?:_API_KEY|_TOKEN)$/.test(name) && nonEmpty(env[name])) : [];
    if (keys.length > 0) return { ok: true, detail: `${keys.join(", ")} in ${settings}` };
    return missing(file);
  },
};

function tokenStatus(file: string, expiresAt: unknown, refreshable: boolean, now: number): AuthStatus {
  const expiry = typeof expiresAt === "number" && Number.isFinite(expiresAt) ? expiresAt : null;
  if (expiry === null || expiry > now) return { ok: true, detail: `logged in (${file}${expiry ? `; valid until ${new Date(expiry).toISOString()}` : ""})` };
  if (refreshable)
    return {
      ok: true,
      detail: `logged in (${file}; its access token expired at ${new Date(expiry).toISOString()}, the program renews it with its refresh token)`,
    };
  return { ok: false, detail: `the login in ${file} expired at ${new Date(expiry).toISOString()}` };
}

function missing(file: string): AuthStatus {
  return { ok: false, detail: `no API key in its env and no login in its folder (${file})` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nonEmpty(value: unknown): boolean {
  return typeof value === "string" && value !== "";
}

/**
 * One agent's login as `up`, `doctor` and the bridge see it: seed its folder
 * from the user's login (unless told not to write: `doctor` only looks), then
 * check it offline. When the folder has none yet but the user's own login
 * would be copied in by `up`, that is said rather than a failure.
 */
import { homedir } from "node:os";
import { checkAuth, type AuthStatus } from "./check.js";
import { seedLogin, type SeedReport } from "./seed.js";
import { loginSpec } from "./specs.js";

export interface AgentLogin {
  readonly runtime: string;
  readonly seeded: SeedReport | null;
  readonly auth: AuthStatus;
}

export interface AgentLoginOptions {
  readonly runtime: string;
  readonly configDir: string;
  readonly agentEnv: Readonly<Record<string, string>>;
  /** The environment the swarm starts with (and where the user's own login is looked up). */
  readonly env?: NodeJS.ProcessEnv;
  readonly userHome?: string;
  /** false: look only (doctor); true: copy the user's login in first (up, session start). */
  readonly seed: boolean;
  readonly now?: number;
}

/** null for a runtime without a login (shell, aider, langchain). */
export function agentLogin(options: AgentLoginOptions): AgentLogin | null {
  const spec = loginSpec(options.runtime);
  if (!spec) return null;
  const env = options.env ?? process.env;
  const userHome = options.userHome ?? homedir();
  const seeded = options.seed
    ? seedLogin({ runtime: options.runtime, configDir: options.configDir, agentEnv: options.agentEnv, userHome, userEnv: env })
    : null;
  const base = { runtime: options.runtime, agentEnv: options.agentEnv, baseEnv: env, ...(options.now ? { now: options.now } : {}) };
  const auth = checkAuth({ ...base, configDir: options.configDir })!;
  if (auth.ok || options.seed) return { runtime: options.runtime, seeded, auth };
  const theirs = checkAuth({ ...base, configDir: spec.userDir(userHome, env) })!;
  if (!theirs.ok) return { runtime: options.runtime, seeded, auth };
  return { runtime: options.runtime, seeded, auth: { ok: true, detail: `not in its folder yet; \`up\` copies in your own login: ${theirs.detail}` } };
}

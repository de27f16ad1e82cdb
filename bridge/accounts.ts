/**
 * The account an agent with `accounts:` runs with, and the move to its next
 * account on a usage limit. The state is the agent's, not a session's: one
 * hash in Redis (`<prefix>:accounts:<agent>`, keys.ts) holds the account in
 * use and each account's "limited until", so every replica, every bridge
 * and a restarted one agree. Each change is one Lua script: two replicas
 * limited at once move the agent once.
 *
 * A headless program gets its account per dispatch (program-jobs.ts: its
 * config folder variable and the account's variables); an interactive
 * program's session is started with one and restarted when the agent's
 * account is another (dispatch/dispatcher.ts).
 */
import type { Redis } from "ioredis";
import { accountConfigDir, agentConfigDir, type AccountConfig, type AgentConfig, type EventStream, type Keys } from "../core/index.js";
import { loginSpec, seedLogin, type Conversations } from "../agents/index.js";
import type { BridgeLog } from "./log-events.js";

export interface AccountsDeps {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly events: EventStream;
  readonly log: BridgeLog;
  readonly agents: readonly AgentConfig[];
  readonly home: string;
  /** The conversation each session continues: a move to another folder starts new ones. */
  readonly conversations: Conversations;
  /** How long an account counts as limited when its program did not say when the limit lifts. */
  readonly defaultMs: number;
  /** The user's home and environment, for a program whose login folder defaults to them (seeding). */
  readonly userHome: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => number;
}

/** What a run with an account gets: the program's config folder and the account's variables. */
export interface AccountRun {
  readonly account: string;
  readonly configDir: string;
  readonly env: Readonly<Record<string, string>>;
}

/** After a usage limit: run the task again with `account`, or every account is limited until `until` (ms). */
export type Rotation = { readonly kind: "rerun"; readonly account: string } | { readonly kind: "all-limited"; readonly until: number };

/**
 * KEYS[1] the agent's hash; ARGV: now (ms), the account that hit a limit ('' for none), until when (ms), then the
 * agent's accounts in order. Marks the limit, then keeps the current account when it is free, else moves to the
 * next free one after it. Returns { current, the account it moved from ('' when it did not), the earliest end of a
 * limit when every account is limited ('' otherwise) }.
 */
const ROTATE = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local hit = ARGV[2]
local names = {}
for i = 4, #ARGV do names[#names + 1] = ARGV[i] end
local function limitedUntil(name) return tonumber(redis.call('HGET', key, 'until:' .. name) or '0') or 0 end
if hit ~= '' and tonumber(ARGV[3]) > limitedUntil(hit) then redis.call('HSET', key, 'until:' .. hit, ARGV[3]) end
local current = redis.call('HGET', key, 'current')
local at = 0
for i, name in ipairs(names) do if name == current then at = i end end
if at == 0 then
  at = 1
  current = names[1]
  redis.call('HSET', key, 'current', current)
end
if limitedUntil(current) <= now then return { current, '', '' } end
for k = 1, #names - 1 do
  local name = names[((at - 1 + k) % #names) + 1]
  if limitedUntil(name) <= now then
    redis.call('HSET', key, 'current', name)
    return { name, current, '' }
  end
end
local earliest = limitedUntil(names[1])
for _, name in ipairs(names) do if limitedUntil(name) < earliest then earliest = limitedUntil(name) end end
return { current, '', string.format('%.0f', earliest) }
`;

export class Accounts {
  private readonly byName: ReadonlyMap<string, AgentConfig>;
  private readonly now: () => number;

  constructor(private readonly deps: AccountsDeps) {
    this.byName = new Map(deps.agents.filter((agent) => agent.accounts?.length).map((agent) => [agent.name, agent]));
    this.now = deps.now ?? Date.now;
  }

  has(agent: string): boolean {
    return this.byName.has(agent);
  }

  /** Whether runs with `a` and `b` use one config folder (both `env` accounts: the agent's own), so one conversation store. */
  sameFolder(agent: string, a: string, b: string): boolean {
    if (a === b) return true;
    const accounts = this.byName.get(agent)?.accounts ?? [];
    return [a, b].every((name) => accounts.find((account) => account.name === name)?.configDir === null);
  }

  /** The account the agent's next run uses (moving off a limited one when another is free); null without `accounts:`. */
  async current(agent: string): Promise<string | null> {
    if (!this.has(agent)) return null;
    return (await this.rotate(agent, null, 0)).current;
  }

  /**
   * `account` ran into a usage limit (lifting at `resetAt`, ISO, when the program said): it is marked limited,
   * and the task runs again on the agent's account now, unless every one is limited. Null without `accounts:`.
   */
  async limited(agent: string, account: string, resetAt: string | null): Promise<Rotation | null> {
    if (!this.has(agent)) return null;
    const reset = resetAt ? Date.parse(resetAt) : Number.NaN;
    const until = Number.isFinite(reset) && reset > this.now() ? reset : this.now() + this.deps.defaultMs;
    const rotated = await this.rotate(agent, account, until);
    if (rotated.allLimitedUntil !== null) {
      this.deps.log("agent.accounts-limited", { agent, until: new Date(rotated.allLimitedUntil).toISOString() });
      return { kind: "all-limited", until: rotated.allLimitedUntil };
    }
    return { kind: "rerun", account: rotated.current };
  }

  /** The folder and variables of a run of `agent` with `account` (its login folder seeded first). */
  runOf(agent: AgentConfig, account: string): AccountRun | null {
    const entry = agent.accounts?.find((a) => a.name === account);
    if (!entry) return null;
    if (entry.configDir === null) return { account, configDir: agentConfigDir(this.deps.home, agent.name), env: entry.env };
    const configDir = accountConfigDir(this.deps.home, agent.name, account);
    this.seed(agent, entry, configDir);
    return { account, configDir, env: entry.env };
  }

  /** Interactive sessions: the account the session's program was started with (kept for a restarted bridge). */
  async launched(agent: string, session: string, account: string): Promise<void> {
    await this.deps.redis.hset(this.deps.keys.accounts(agent), `session:${session}`, account);
  }

  async launchedWith(agent: string, session: string): Promise<string | null> {
    return this.deps.redis.hget(this.deps.keys.accounts(agent), `session:${session}`);
  }

  private async rotate(agent: string, hit: string | null, until: number): Promise<{ current: string; allLimitedUntil: number | null }> {
    const names = this.byName.get(agent)!.accounts!.map((a) => a.name);
    const key = this.deps.keys.accounts(agent);
    const [current, from, earliest] = (await this.deps.redis.eval(ROTATE, 1, key, String(this.now()), hit ?? "", String(until), ...names)) as [
      string,
      string,
      string,
    ];
    if (from !== "") await this.switched(agent, from, current, hit === from ? until : null);
    return { current, allLimitedUntil: earliest === "" ? null : Number(earliest) };
  }

  private async switched(agent: string, from: string, to: string, until: number | null): Promise<void> {
    const limit = until === null ? "is usage limited" : `is usage limited until ${new Date(until).toISOString()}`;
    const message = `account ${from} ${limit}; the agent runs with account ${to} now`;
    this.deps.log("agent.account-switched", { agent, from, to });
    if (!this.sameFolder(agent, from, to)) {
      // Its sessions' conversations are in the old account's folder, where the new one's runs cannot find them.
      const replicas = this.byName.get(agent)!.replicas;
      for (let i = 1; i <= replicas; i++) {
        const session = `${agent}-${i}`;
        await this.deps.conversations.clear(session).catch((error) => this.deps.log("agent.conversation-clear-failed", { agent, session, error }));
      }
    }
    await this.deps.events
      .publish("agent.account-switched", { agent, from, to, message })
      .catch((error) => this.deps.log("event.publish-failed", { agent, type: "agent.account-switched", error }));
  }

  /** A `config_dir` account's login, copied into the swarm's folder for it (and refreshed when it changes there). */
  private seed(agent: AgentConfig, account: AccountConfig, configDir: string): void {
    const spec = loginSpec(agent.runtime);
    if (!spec || account.configDir === null) return;
    try {
      const env = { ...(this.deps.env ?? process.env), [spec.configVar]: account.configDir };
      const seeded = seedLogin({ runtime: agent.runtime, configDir, agentEnv: { ...agent.env, ...account.env }, userHome: this.deps.userHome, userEnv: env });
      if (seeded.written.length > 0)
        this.deps.log("agent.login-seeded", { agent: agent.name, account: account.name, files: seeded.written, from: seeded.from });
    } catch (error) {
      this.deps.log("agent.login-seed-failed", { agent: agent.name, account: account.name, error });
    }
  }
}

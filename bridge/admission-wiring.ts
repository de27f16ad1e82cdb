import { AgentSpend } from "../core/index.js";
import { AdmissionControl, Breakers, Budgets, Holds, Parking, PolicyHolds, type Valve } from "./admission/index.js";
import type { BridgeBase } from "./bridge-base.js";
import { PolicyCalls } from "./policy-calls.js";
import type { AgentSessions } from "./sessions/index.js";

/** Admission and the parts of it that dispatch and intake reach for on their own. */
export interface Admission {
  readonly control: AdmissionControl;
  /** The dispatcher waits on a parked agent and parks one that hit a rate limit. */
  readonly parking: Parking;
  /** A task's spend counts against its agent's budget when it ends. */
  readonly budgets: Budgets;
  /** Tasks whose command the policy asks about: judged at dispatch, their jobs parked by intake while a person answers. */
  readonly asks: PolicyHolds;
}

/**
 * Builds admission, the one decision per job (run, hold or refuse): every reason to hold an agent (an open
 * breaker, a rate-limit parking, a spent budget) goes through the one set of holds, which pause the agent's
 * worker (`valve`), so a held agent's jobs wait in Redis without spending an attempt. A crash loop is read
 * off `sessions`.
 */
export function buildAdmission(base: BridgeBase, valve: Valve, sessions: AgentSessions): Admission {
  const { config, redis, keys, events, ledger, tuning, redact, host, connect, log, inbox, policyAsks } = base;
  const holds = new Holds({ valve, log });
  const settings = { threshold: tuning.breakerThreshold, openMs: tuning.breakerOpenMs, maxOpenMs: tuning.breakerMaxOpenMs };
  const breakers = new Breakers({ redis, keys, events, log, redact, settings, holds, host });
  const parking = new Parking({ redis, keys, events, log, holds, defaultMs: tuning.rateLimitParkMs, host });
  const budgets = new Budgets({
    agents: config.agents,
    spend: new AgentSpend(redis, keys),
    ledger,
    inbox,
    events,
    holds,
    keys,
    connect,
    log,
  });
  const asks = new PolicyHolds({
    asks: policyAsks,
    inbox,
    redis,
    keys,
    connect,
    redact,
    log,
  });
  const control = new AdmissionControl({ holds, breakers, parking, budgets, asks, sessions });
  return { control, parking, budgets, asks };
}

/**
 * Builds the other half of the policy's `ask` rules: not a whole task held before it runs (that is
 * admission's), but an agent program's shell calls that an ask rule matched, each waiting in the program's
 * hook for a person's answer in the inbox. Only this host's agents' sessions are watched.
 */
export function policyCalls(base: BridgeBase, sessions: AgentSessions): PolicyCalls {
  const { paths, localAgents, redact, log, inbox, policyAsks } = base;
  return new PolicyCalls({
    home: paths.root,
    agents: localAgents,
    sessions: () => sessions.all,
    asks: policyAsks,
    inbox,
    redact,
    log,
  });
}

import { homedir } from "node:os";
import { PromptAsks } from "../core/index.js";
import { interactivePrograms, type InteractivePrograms } from "../agents/index.js";
import { Accounts } from "./accounts.js";
import type { BridgeBase } from "./bridge-base.js";
import { ConversationStore } from "./conversations.js";
import type { AgentSessions, SessionStates } from "./sessions/index.js";

/** The interactive programs and the two stores they share with dispatch. */
export interface Programs {
  readonly interactive: InteractivePrograms;
  /** Agents with `accounts:`: which account a run uses, and the move to the next one on a usage limit. */
  readonly accounts: Accounts;
  /** The conversation each session continues. */
  readonly conversations: ConversationStore;
}

/**
 * Builds the programs whose own TUI is the pane's program (`mode: interactive`), with the accounts they
 * start with: a program is started with its agent's current account, and one that kept running through a
 * bridge restart keeps the account it was started with, so it is not moved under a running task.
 * Accounts and conversations are built here because a program's start needs them; dispatch shares them.
 */
export function buildPrograms(base: BridgeBase, states: SessionStates, sessions: AgentSessions): Programs {
  const { config, paths, redis, keys, events, tuning, redact, log } = base;
  const conversations = new ConversationStore(redis, keys);
  const accounts = new Accounts({
    redis,
    keys,
    events,
    log,
    agents: config.agents,
    home: paths.root,
    conversations,
    defaultMs: tuning.rateLimitParkMs,
    userHome: homedir(),
    env: base.env,
  });
  const interactive = interactivePrograms({
    agents: config.agents,
    home: paths.root,
    jobsDir: paths.jobsDir,
    publish: (pane) => states.publish(sessions.get(pane.name)!),
    events,
    conversations,
    log,
    hookFileMaxBytes: tuning.hookFileMaxBytes,
    // A permission prompt nobody auto-approves waits in the inbox; its answer is keyed in here, by the pane's owner.
    prompts: { inbox: base.inbox, asks: new PromptAsks(redis, keys), redact },
    account: async (agent, session, keep) => {
      if (!accounts.has(agent.name)) return null;
      // A program that kept running (a bridge restart) keeps the account it was started with.
      const kept = keep ? await accounts.launchedWith(agent.name, session) : null;
      const name = kept ?? (await accounts.current(agent.name))!;
      if (!kept) await accounts.launched(agent.name, session, name);
      return accounts.runOf(agent, name);
    },
  });
  return { interactive, accounts, conversations };
}

/**
 * Programs whose own TUI is the pane's program (`mode: interactive`): what
 * the bridge's supervision needs to start one in a pane, and the transport
 * its tasks go through. A runtime offers this by one entry in registry.ts.
 */
import type { AgentConfig, AgentState, EventStream, InboxStore, LogFn, PromptAsks, Redactor } from "../core/index.js";
import type { AgentPane, Conversations, Transport } from "./transport.js";

export interface InteractiveProgramDeps {
  readonly agents: readonly AgentConfig[];
  /** The swarm's home: per-agent config and hook folders live under it. */
  readonly home: string;
  readonly jobsDir: string;
  /** Publishes a session's state where `status` reads it. */
  readonly publish: (pane: AgentPane) => Promise<void>;
  readonly events: EventStream;
  readonly conversations: Conversations;
  readonly log: LogFn;
  /** Hook files are cut back between tasks once they hold this much; default 1 MB. */
  readonly hookFileMaxBytes?: number;
  /** Where a permission prompt nobody auto-approves waits for a person; absent: it waits for someone to attach. */
  readonly prompts?: PromptInboxDeps;
  /**
   * Agents with `accounts:`: the config folder and variables a session's program starts with (`keep`: the
   * program is still running from before, with the account it was started with); null without accounts.
   */
  readonly account?: (
    agent: AgentConfig,
    session: string,
    keep: boolean,
  ) => Promise<{ readonly account: string; readonly configDir: string; readonly env: Readonly<Record<string, string>> } | null>;
}

/** The inbox a program's permission prompts wait in, each session's record of its open one (core/asks), and the swarm's redactor for what they show. */
export interface PromptInboxDeps {
  readonly inbox: InboxStore;
  readonly asks: PromptAsks;
  readonly redact: Redactor;
}

/** What the pane runs: the program's argv, its environment, and what a sandbox must expose of the home. */
export interface ProgramLaunch {
  readonly command: string[];
  readonly env: Record<string, string>;
  /** The config folder the program runs with (with `accounts:`, its account's): where its login must be. */
  readonly configDir: string;
  readonly exposed: { path: string; writable: boolean }[];
}

export interface InteractiveProgram {
  /** Whether this agent's sessions run the program interactively. */
  handles(agent: string): boolean;
  /** Prepares the program's files; `paneAlive`: its pane survived (a bridge restart), and its state is read back. */
  launch(pane: AgentPane, cwd: string, paneAlive: boolean): Promise<ProgramLaunch>;
  /** After the pane exists: waits until the program takes input (throws an InfraError when it does not). */
  started(pane: AgentPane, created: boolean): Promise<void>;
  setState(pane: AgentPane, state: AgentState): void;
  readonly transport: Transport;
  close(): void;
}

export type InteractiveFactory = (deps: InteractiveProgramDeps) => InteractiveProgram;

/** Every interactive program of a swarm behind one door: the one that handles an agent, if any. */
export interface InteractivePrograms {
  forAgent(agent: string): InteractiveProgram | null;
  close(): void;
}

export function combinePrograms(programs: readonly InteractiveProgram[]): InteractivePrograms {
  return {
    forAgent: (agent) => programs.find((program) => program.handles(agent)) ?? null,
    close: () => {
      for (const program of programs) program.close();
    },
  };
}

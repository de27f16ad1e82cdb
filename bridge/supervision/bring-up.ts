import type { AgentConfig, EventStream, HomePaths } from "../../core/index.js";
import { shellCommand, type InteractivePrograms } from "../../agents/index.js";
import { programLogin, refreshAgentLogin } from "../agent-login.js";
import type { BridgeLog } from "../log-events.js";
import type { Sandboxes } from "../sandbox.js";
import type { AgentSession, AgentSessions, SessionStates } from "../sessions/index.js";
import { promptNonceOf, shellPaneStart } from "../shell-pane.js";
import type { Worktrees } from "../worktrees.js";
import type { ProgramVersions } from "./program-versions.js";
import type { Readoption } from "./readoption.js";
import type { TmuxWatch } from "./tmux-watch.js";

const PROBE_TIMEOUT_MS = 10_000;

export interface BringUpDeps {
  readonly agents: readonly AgentConfig[];
  readonly paths: HomePaths;
  readonly tmux: TmuxWatch;
  readonly sessions: AgentSessions;
  readonly states: SessionStates;
  readonly events: EventStream;
  readonly worktrees: Worktrees;
  readonly sandboxes: Sandboxes;
  /** Programs whose TUI is the pane's own program (`mode: interactive`). */
  readonly interactive: InteractivePrograms;
  readonly readoption: Readoption;
  readonly versions: ProgramVersions;
  /** What the agent's panes get: no swarm variable, no daemon secret (agent-env.ts). */
  readonly agentEnv: (agent: AgentConfig) => Record<string, string>;
  /** A session came up: the agent's crash-loop hold is reviewed (admission). */
  readonly crashLoop: (agent: string) => Promise<void>;
  readonly log: BridgeLog;
}

/** Brings a session up: creates (or finds) its pane, then adopts the job it is running or handshakes with its shell. */
export class BringUp {
  constructor(private readonly deps: BringUpDeps) {}

  async up(session: AgentSession): Promise<void> {
    const { deps } = this;
    const agent = deps.agents.find((a) => a.name === session.agent)!;
    const cwd = await deps.worktrees.prepare(agent, session.name);
    const login = refreshAgentLogin(agent, deps.paths.root, deps.log);
    // An interactive program's TUI is the pane's own program, not our shell.
    const program = deps.interactive.forAgent(agent.name);
    const interactive = program !== null;
    const alive = interactive && (await deps.tmux.current.list()).some((pane) => pane.session === session.name);
    const env = deps.agentEnv(agent);
    const launch = program ? await program.launch(session, cwd, alive) : null;
    const shell = launch ? null : shellPaneStart(session.name, env);
    // A sandboxed interactive program runs inside bwrap as the pane's own program; a shell pane sandboxes each task (ca-run).
    const command = launch ? [...(deps.sandboxes.forProgram(agent, session.name, launch.exposed) ?? []), ...launch.command] : shellCommand(deps.paths);
    const paneEnv = launch ? { ...env, ...launch.env } : shell!.env;
    const { ref, created } = await deps.tmux.current.ensure({ name: session.name, cwd, env: paneEnv, command });
    const nonce = shell ? promptNonceOf(shell, ref, created) : null;
    session.attach(ref, nonce);
    if (program) await program.started(session, created);
    // The login that counts is the one the program was started with: with `accounts:`, its account's.
    const auth = launch ? programLogin(agent, launch, deps.log) : login;
    if (program && auth && !auth.ok) program.setState(session, "needs-login");
    const running = created ? null : await deps.readoption.runningIn(session, ref, interactive);
    if (running) {
      deps.readoption.adopt(session, running);
    } else {
      if (shell && nonce === null && process.platform === "linux") {
        // A shell started by an older claude-agent: its ca-run knows neither sandboxes nor prompt nonces. Idle: start it anew.
        deps.log("session.outdated", { session: session.name });
        await deps.tmux.current.kill(session.name);
        return this.up(session);
      }
      if (!interactive) await session.probe(PROBE_TIMEOUT_MS);
      session.markIdle();
    }
    await deps.states.publish(session);
    await deps.events.publish("agent.up", { agent: session.agent, session: session.name });
    this.askVersion(agent, session);
    await deps.crashLoop(session.agent);
    deps.sessions.poolOf(session.agent)?.wake();
  }

  /** The program's version, for `status` and its drift warnings; asked in the background, not to delay the start. */
  private askVersion(agent: AgentConfig, session: AgentSession): void {
    void this.deps.versions
      .of(agent)
      .then((version) => (version !== null && session.setProgramVersion(version) ? this.deps.states.publish(session) : undefined))
      .catch((error) => this.deps.log("session.version-failed", { session: session.name, error }));
  }
}

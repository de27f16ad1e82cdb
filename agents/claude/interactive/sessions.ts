import { rmSync } from "node:fs";
import { join } from "node:path";
import { agentConfigDir, InfraError, isInside, type AgentConfig, type AgentState } from "../../../core/index.js";
import { DriftMonitor, type DriftSign } from "../../drift.js";
import type { InteractiveProgramDeps, ProgramLaunch } from "../../interactive-program.js";
import type { AgentPane } from "../../transport.js";
import { RESULT_SUFFIX } from "../prompt.js";
import { readClaudeScreen, type ScreenReading } from "../screen-state.js";
import { ClaudeChannel, HookTimeout } from "./channel.js";
import { launchProgram, resultsDir } from "./session-launch.js";

// Re-exported: the agents' public entry (agents/index.ts) names this module as where resultsDir comes from.
export { resultsDir };

export type InteractiveDeps = InteractiveProgramDeps;

/** Claude Code checks connectivity and settings before its first frame: ~2-3 s here, more on a busy machine. */
const START_TIMEOUT_MS = 45_000;
/** Screen polls are the fallback used only at start-up and after an interrupt, never during a turn. */
const SCREEN_POLL_MS = 100;

/**
 * Interactive Claude Code sessions (`runtime: claude`, `mode: interactive`):
 * what their panes run (prepared by session-launch.ts), the start-up
 * handshake, and one ClaudeChannel per session whose state changes are
 * published to the registry (`status`) and as `agent.state` events; its
 * screens and drift. Its tasks: transport.ts.
 */
export class InteractiveClaude {
  private readonly channels = new Map<string, ClaudeChannel>();
  private readonly byName: ReadonlyMap<string, AgentConfig>;
  /** Unexplained screens and states, per agent (agents/drift.ts). */
  private readonly drift = new DriftMonitor();

  constructor(private readonly deps: InteractiveDeps) {
    this.byName = new Map(deps.agents.map((agent) => [agent.name, agent]));
  }

  handles(agent: string): boolean {
    const config = this.byName.get(agent);
    return config?.runtime === "claude" && config.mode === "interactive";
  }

  agent(name: string): AgentConfig | undefined {
    return this.byName.get(name);
  }

  channel(session: AgentPane): ClaudeChannel {
    const channel = this.channels.get(session.name);
    if (!channel) throw new InfraError(`session ${session.name} has no Claude hook channel`, { context: { session: session.name } });
    return channel;
  }

  /** Between tasks: keeps the session's hook file from growing for as long as its program runs. */
  compact(session: AgentPane): void {
    const channel = this.channels.get(session.name);
    try {
      if (channel?.compact(this.deps.hookFileMaxBytes ?? 1024 * 1024)) this.deps.log("agent.hooks-compacted", { session: session.name });
    } catch (error) {
      this.deps.log("agent.hooks-compact-failed", { session: session.name, error });
    }
  }

  /**
   * A dispatch's result file (an Edit rule in the agent's settings lets the
   * program write such files unasked). In a folder of the agent's own, the
   * only part of the home a sandboxed program sees besides its config and
   * hook file; the sweeper removes them with the task's other files.
   */
  resultFile(agent: string, token: string): string {
    return join(resultsDir(this.deps.home, agent), `${token}${RESULT_SUFFIX}`);
  }

  /** The pane's program and environment (session-launch.ts), with a new hook channel for the session. */
  async launch(session: AgentPane, cwd: string, paneAlive: boolean): Promise<ProgramLaunch> {
    const launch = await launchProgram(this.deps, this.byName.get(session.agent)!, session, cwd, paneAlive, (hookFile) => {
      this.channels.get(session.name)?.close();
      this.channels.set(session.name, new ClaudeChannel(session, hookFile, (s) => this.publish(s)));
    });
    this.setState(session, "starting");
    return launch;
  }

  /**
   * After the pane exists. A new program: wait for its SessionStart hook,
   * then for its input box on screen (no hook says "ready for input"; text
   * pasted before that is lost). A program that kept running: replay its
   * hook file, which leaves the channel in the program's current state.
   */
  async started(session: AgentPane, created: boolean): Promise<void> {
    const channel = this.channel(session);
    const start = created ? channel.waitFor((e) => e.event === "SessionStart", { timeoutMs: START_TIMEOUT_MS, what: "Claude Code's SessionStart hook" }) : null;
    start?.catch(() => undefined); // awaited below; a rejection before then is not unhandled
    channel.open();
    if (start) {
      try {
        await start;
      } catch (error) {
        if (!(error instanceof HookTimeout)) throw error;
        // An unreadable pane reads as blank: the error below reports the failed start either way.
        const screen = readClaudeScreen(await session.capture().catch(() => ""));
        this.setState(session, screen.state === "needs-input" || screen.state === "needs-login" ? screen.state : "error", screen.question);
        throw new InfraError(`Claude Code did not start in ${session.name} within ${START_TIMEOUT_MS / 1000}s${describe(screen)}`, {
          context: { session: session.name },
        });
      }
    }
    if (channel.conversationId) await this.deps.conversations.set(session.name, channel.conversationId);
    if (created || session.agentState === "starting") {
      const screen = await this.waitForScreen(session, (s) => s.state === "idle" || s.state === "needs-input", START_TIMEOUT_MS);
      if (screen?.state !== "idle") {
        this.setState(session, screen?.state === "needs-input" || screen?.state === "needs-login" ? screen.state : "error", screen?.question ?? null);
        throw new InfraError(`Claude Code in ${session.name} is not ready for input${describe(screen)}`, { context: { session: session.name } });
      }
      this.setState(session, "idle");
    }
  }

  /** Polls the screen (the fallback) until `done` holds; null when it never did within `timeoutMs`. */
  async waitForScreen(session: AgentPane, done: (screen: ScreenReading) => boolean, timeoutMs: number): Promise<ScreenReading | null> {
    const deadline = Date.now() + timeoutMs;
    let last: ScreenReading | null = null;
    while (session.running) {
      last = readClaudeScreen(await session.capture());
      if (done(last)) return last;
      if (Date.now() >= deadline) {
        if (last.state === "unknown") this.noteDrift(session, "unclassified-screen", "waited for a screen it could read, in vain");
        return last;
      }
      await new Promise((resolve) => setTimeout(resolve, SCREEN_POLL_MS));
    }
    throw new InfraError(`session ${session.name} is gone`, { context: { session: session.name } });
  }

  /**
   * Something the adapter could not explain. Past the threshold the agent is
   * drift-suspected: `status` says why, auto-approval stops answering its
   * prompts (a dialog it cannot read must not be approved blindly), and an
   * `agent.drift-suspected` event goes out once.
   */
  noteDrift(session: AgentPane, sign: DriftSign, detail: string): void {
    const verdict = this.drift.note(session.agent, sign, detail);
    this.deps.log("agent.drift-sign", { session: session.name, sign, detail, recent: verdict.recent.length });
    const reason = this.drift.suspected(session.agent);
    if (!reason) return;
    if (session.setDrift(reason)) void this.deps.publish(session).catch((error) => this.deps.log("session.publish-failed", { session: session.name, error }));
    if (verdict.crossed) {
      void this.deps.events
        .publish("agent.drift-suspected", { agent: session.agent, session: session.name, message: reason })
        .catch((error) => this.deps.log("event.publish-failed", { session: session.name, type: "agent.drift-suspected", error }));
    }
  }

  driftSuspected(agent: string): boolean {
    return this.drift.suspected(agent) !== null;
  }

  setState(session: AgentPane, state: AgentState, needsInput: string | null = null): void {
    const channel = this.channels.get(session.name);
    if (channel) channel.setState(state, needsInput);
    else if (session.setProgramState(state, needsInput)) this.publish(session);
  }

  /** Whether a transcript path a hook reported lies in the agent's own config folder. */
  ownsTranscript(agent: string, path: string): boolean {
    return isInside(path, agentConfigDir(this.deps.home, agent)) || isInside(path, join(this.deps.home, "agents", agent, "accounts"));
  }

  /** A result file from an earlier attempt must not pass for this one's. */
  clearResult(file: string): void {
    rmSync(file, { force: true });
  }

  close(): void {
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
  }

  private publish(session: AgentPane): void {
    const { publish, events, log } = this.deps;
    void publish(session).catch((error) => log("session.publish-failed", { session: session.name, error }));
    void events
      .publish("agent.state", {
        agent: session.agent,
        session: session.name,
        status: session.agentState ?? undefined,
        message: session.needsInput ?? undefined,
      })
      .catch((error) => log("event.publish-failed", { session: session.name, type: "agent.state", error }));
  }
}

function describe(screen: ScreenReading | null): string {
  if (!screen) return "";
  if (screen.question) return `: it asks "${screen.question}"`;
  return ` (its screen reads as ${screen.state})`;
}

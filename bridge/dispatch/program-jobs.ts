import { closeSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { agentConfigDir, InfraError, type AgentConfig, type TaskRecord, type TerminalStatus } from "../../core/index.js";
import {
  agentJobFiles,
  askChannelDir,
  clipAnswer,
  findNode,
  isLostConversation,
  policyFile,
  proseHint,
  renderScriptPath,
  runtimeAdapter,
  shellQuote,
  writePrompt,
  writeRoleFile,
  type AgentOutcome,
  type AgentRuntime,
  type Conversations,
  type ToolCall,
} from "../../agents/index.js";

export interface ProgramJobsOptions {
  readonly agents: readonly AgentConfig[];
  /** The swarm's home: agent config folders live under it. */
  readonly home: string;
  readonly jobsDir: string;
  /** Where each session's conversation id is kept; null: every task starts a new conversation. */
  readonly conversations: Conversations | null;
  /** Context put before a program agent's task in its prompt (memory entries); absent: the task alone. */
  readonly promptContext?: PromptContext;
  /** Agents with `accounts:`: the config folder and variables of a run with an account (bridge/accounts.ts). */
  readonly accountRun?: (agent: AgentConfig, account: string) => { readonly configDir: string; readonly env: Readonly<Record<string, string>> } | null;
  /** Told the tools a task's program called (in order; `dropped` more were not kept), for the audit log. */
  readonly toolCalls?: (record: TaskRecord, session: string | null, calls: readonly ToolCall[], dropped: number) => Promise<void>;
}

/** Given the agent and the task, a block of context for its prompt (empty block: none). */
export type PromptContext = (agent: AgentConfig, record: TaskRecord) => Promise<{ readonly block: string } | null>;

/** What a finished dispatch adds to its task's record. */
export interface AgentFinish {
  readonly status: TerminalStatus;
  readonly reason?: string;
  readonly fields: Record<string, string | number>;
  /** The program hit a rate or usage limit (its agent's queue is parked). */
  readonly rateLimited?: boolean;
}

/**
 * The adapter's side of a dispatch: the script a task runs in the pane (an
 * agent program reading its prompt from a file, continuing the session's
 * conversation unless the task asks for a fresh one) and, once it has
 * ended, what its event stream says: answer, cost, tokens, errors.
 */
export class ProgramJobs {
  private readonly byName: ReadonlyMap<string, AgentConfig>;
  private readonly nodes = new Map<string, string>();

  constructor(private readonly options: ProgramJobsOptions) {
    this.byName = new Map(options.agents.map((agent) => [agent.name, agent]));
  }

  adapter(agent: string): AgentRuntime {
    return runtimeAdapter(this.byName.get(agent)?.runtime ?? "shell");
  }

  /**
   * Writes the prompt file (agent programs) and returns the dispatch's script, what the pane shows of it,
   * and the prompt as delivered (the task text, or the program's prompt with its memory context).
   */
  async prepare(record: TaskRecord, session: string, token: string): Promise<{ script: string; preview: string; prompt: string }> {
    const agent = this.byName.get(record.agent);
    const adapter = this.adapter(record.agent);
    if (!agent || !adapter.structured) return { script: record.task, preview: record.task, prompt: record.task };
    const fresh = record.fresh === true;
    const resumeId = fresh ? null : ((await this.options.conversations?.get(session)) ?? null);
    // The provider logs its own failures (memory.inject.failed); without a block the task runs alone.
    const context = (await this.options.promptContext?.(agent, record).catch(() => null))?.block ?? "";
    const prompt = context ? `${context}\n\n${record.task}` : record.task;
    const files = writePrompt(this.options.jobsDir, token, prompt);
    const run = record.account ? (this.options.accountRun?.(agent, record.account) ?? null) : null;
    const configDir = run?.configDir ?? agentConfigDir(this.options.home, agent.name);
    const role = agent.role?.text ?? null;
    const roleFile = writeRoleFile(agent.runtime, configDir, role);
    const job = {
      task: record.task,
      ...files,
      cwd: agent.cwd,
      command: agent.command,
      model: agent.model,
      args: agent.args,
      node: this.nodeOf(agent),
      resumeId,
      fresh,
      llm: agent.llm ?? null,
      policy: agent.policy ?? null,
      askChannel: askChannelDir(this.options.home, session),
      role,
      roleFile,
    };
    const paths = { configDir, node: process.execPath, renderer: renderScriptPath() };
    // A policy hook configured in a settings file: written here, outside the sandbox, which shows it read-only.
    const settings = adapter.policySettings?.(job, paths) ?? null;
    const settingsFile = settings === null ? null : policyFile(this.options.jobsDir, token);
    if (settingsFile !== null) writeFileSync(settingsFile, settings!, { mode: 0o600 });
    const script = adapter.buildScript({ ...job, policyFile: settingsFile }, paths);
    const note = `${fresh ? "new conversation" : resumeId ? `continues ${resumeId}` : "new conversation"}${record.account ? `, account ${record.account}` : ""}`;
    return { script: withVariables(script, run?.env ?? {}), preview: `${agent.runtime} (${note}):\n${record.task}`, prompt };
  }

  /**
   * Reads what the program reported (null for shell agents) and remembers
   * its conversation for the session's next task. A program that reports an
   * error fails the task even when it exits 0.
   */
  async finish(record: TaskRecord, session: string | null, token: string, exitCode: number | null): Promise<AgentFinish | null> {
    const adapter = this.adapter(record.agent);
    if (!adapter.structured) {
      // A sentence sent to a shell agent: say so in the reason (`Create: command not found` alone puzzles).
      const hint = exitCode === 127 && record.outputFile ? proseHint(record.task, exitCode, readHead(record.outputFile)) : null;
      return hint === null ? null : { status: "failed", reason: hint, fields: {} };
    }
    const outcome = adapter.parseEvents(readText(agentJobFiles(this.options.jobsDir, token).eventsFile));
    if (session) await this.remember(session, outcome);
    if (outcome.toolCalls && this.options.toolCalls) await this.options.toolCalls(record, session, outcome.toolCalls, outcome.toolCallsDropped ?? 0);
    const failed = outcome.isError === true || (exitCode !== null && exitCode !== 0);
    return {
      status: failed ? "failed" : "completed",
      reason: reasonOf(outcome, exitCode),
      fields: fieldsOf(outcome),
      rateLimited: outcome.rateLimited === true,
    };
  }

  /** The agent's `node:` found once (`up` has already refused a swarm whose node cannot be found). */
  private nodeOf(agent: AgentConfig): string | null {
    if (!agent.node) return null;
    let path = this.nodes.get(agent.name);
    if (path === undefined) {
      path = findNode(agent.node)?.path;
      if (!path) throw new InfraError(`agent ${agent.name}: its node (${agent.node}) cannot be found or does not run`, { context: { agent: agent.name } });
      this.nodes.set(agent.name, path);
    }
    return path;
  }

  private async remember(session: string, outcome: AgentOutcome): Promise<void> {
    const conversations = this.options.conversations;
    if (!conversations) return;
    if (outcome.isError && isLostConversation(outcome.errorMessage ?? "")) await conversations.clear(session);
    else if (outcome.conversationId) await conversations.set(session, outcome.conversationId);
  }
}

/** The account's variables, exported ahead of the script (which then runs its program with them). */
function withVariables(script: string, env: Readonly<Record<string, string>>): string {
  const lines = Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
  return lines.length === 0 ? script : `${lines.join("\n")}\n${script}`;
}

function reasonOf(outcome: AgentOutcome, exitCode: number | null): string | undefined {
  if (outcome.rateLimited) {
    const until = outcome.rateLimitResetAt ? ` (resets at ${outcome.rateLimitResetAt})` : "";
    return `rate limited${until}: ${outcome.errorMessage ?? "the program hit a usage limit"}`;
  }
  if (outcome.isError) return outcome.errorMessage ?? "the program reported an error";
  if (exitCode !== null && exitCode !== 0) return `the program exited with code ${exitCode}`;
  return undefined;
}

function fieldsOf(outcome: AgentOutcome): Record<string, string | number> {
  const fields: Record<string, string | number> = {};
  if (outcome.answer) fields.answer = clipAnswer(outcome.answer, "stream is in the task's events file");
  if (outcome.conversationId) fields.agentSessionId = outcome.conversationId;
  if (outcome.rateLimitResetAt) fields.rateLimitResetAt = outcome.rateLimitResetAt;
  for (const key of ["costUsd", "inputTokens", "outputTokens", "turns"] as const) {
    const value = outcome[key];
    if (typeof value === "number") fields[key] = value;
  }
  return fields;
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return ""; // never written: the program did not start; parseEvents reports that as an error
  }
}

/** The start of a task's output file (a "command not found" line comes first). */
function readHead(file: string): string {
  let fd: number | null = null;
  try {
    fd = openSync(file, "r");
    const buffer = Buffer.alloc(4096);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString("utf8");
  } catch {
    return "";
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

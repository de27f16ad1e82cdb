/**
 * The bridge's side of the ask channel (agents/policy-hook/ask-channel.ts):
 * a shell call of an agent program with a policy hook (agents/policy-hook)
 * that an `ask` rule matched waits in that hook while a person answers an
 * inbox item.
 * Every POLL_MS this looks at the request folders of the sessions of such
 * agents with ask rules: a new request becomes an item
 * (after the command is checked again here: a request the policy would not
 * ask about is answered at once, so a task cannot fill the inbox with any text
 * it likes); an answer recorded in Redis (core/asks) becomes the answer file
 * the hook reads, written where the sandbox cannot write. A request whose hook
 * gave up, or whose task ended, has its item withdrawn. The records are in
 * Redis and the requests on disk: a restarted bridge picks up where it was.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  callAskId,
  checkPolicy,
  compilePolicy,
  newInboxId,
  policyAskItem,
  readRegularFile,
  type AgentConfig,
  type InboxAnswer,
  type InboxStore,
  type PolicyAsks,
  type Redactor,
} from "../core/index.js";
import { answersDir, askChannelDir, asksInHook, CALL_ID, commandDigest, MAX_REQUEST_BYTES, requestsDir, type AskAnswerFile } from "../agents/index.js";
import type { BridgeLog } from "./log-events.js";
import type { AgentSession } from "./sessions/index.js";

const POLL_MS = 500;
/** Unanswered asks of one session beyond this are refused at once (a task asking in a loop). */
const MAX_OPEN_PER_SESSION = 8;

interface Pending {
  readonly session: string;
  readonly call: string;
  readonly taskId: string;
  /** null: answered on the spot (no item). */
  readonly askId: string | null;
  readonly digest: string;
  answered: boolean;
}

export interface PolicyCallsDeps {
  readonly home: string;
  readonly agents: readonly AgentConfig[];
  readonly sessions: () => readonly AgentSession[];
  readonly asks: PolicyAsks;
  readonly inbox: InboxStore;
  readonly redact: Redactor;
  readonly log: BridgeLog;
}

export class PolicyCalls {
  private readonly agents: Map<string, AgentConfig>;
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly deps: PolicyCallsDeps) {
    this.agents = new Map(deps.agents.filter((a) => asksInHook(a.runtime) && (a.policy?.ask ?? []).length > 0).map((a) => [a.name, a]));
  }

  start(): void {
    if (this.agents.size === 0 || this.timer !== null) return;
    this.timer = setInterval(() => {
      // Never overlapping: a slow look (Redis away) is not stacked up.
      if (this.running !== null) return;
      this.running = this.look()
        .catch((error: unknown) => this.deps.log("policy-ask.error", { error }))
        .finally(() => (this.running = null));
    }, POLL_MS);
    this.timer.unref();
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async look(): Promise<void> {
    for (const session of this.deps.sessions()) {
      const agent = this.agents.get(session.agent);
      if (!agent) continue;
      const channel = askChannelDir(this.deps.home, session.name);
      // Made here for an unsandboxed agent too (the sandbox's plan makes them for a sandboxed one).
      for (const dir of [requestsDir(channel), answersDir(channel)]) mkdirSync(dir, { recursive: true, mode: 0o700 });
      const calls = new Set(listCalls(requestsDir(channel)));
      for (const call of calls) if (!this.pending.has(`${session.name}/${call}`)) await this.raise(agent, session, channel, call);
      for (const [key, entry] of this.pending) {
        if (entry.session !== session.name) continue;
        if (!calls.has(entry.call) || session.currentTask !== entry.taskId) await this.forget(key, entry, channel, calls.has(entry.call));
        else if (!entry.answered && entry.askId !== null) await this.deliver(entry, channel);
      }
    }
  }

  private async raise(agent: AgentConfig, session: AgentSession, channel: string, call: string): Promise<void> {
    const key = `${session.name}/${call}`;
    const text = readRegularFile(join(requestsDir(channel), `${call}.json`));
    const command = text !== null && text.length <= MAX_REQUEST_BYTES ? commandOf(text) : null;
    const taskId = session.currentTask;
    const answerNow = (reason: string): void => {
      this.pending.set(key, { session: session.name, call, taskId: taskId ?? "", askId: null, digest: "", answered: true });
      writeAnswer(channel, call, { decision: "deny", by: "claude-agent", reason, digest: command === null ? "" : commandDigest(command) });
    };
    if (command === null) return answerNow("the request cannot be read");
    if (taskId === null) return answerNow("no task is running in this session");
    const verdict = await checkPolicy(command, compilePolicy(agent.policy ?? {}));
    if (!verdict.ask) return answerNow(verdict.allowed ? "this command needs no approval" : verdict.reason);
    const open = [...this.pending.values()].filter((p) => p.session === session.name && !p.answered).length;
    if (open >= MAX_OPEN_PER_SESSION) return answerNow(`more than ${MAX_OPEN_PER_SESSION} commands of this session are waiting for a person already`);
    const askId = callAskId(taskId, call);
    const spec = { id: askId, agent: agent.name, taskId, rule: verdict.rule, command: this.deps.redact(command) };
    const item = await this.deps.asks.claim(spec, newInboxId());
    const opened = await this.deps.inbox.open(policyAskItem({ ...spec, id: item, call, what: "call" }));
    if (opened.created) this.deps.log("policy-ask.call", { taskId, session: session.name, item, rule: verdict.rule });
    this.pending.set(key, { session: session.name, call, taskId, askId, digest: commandDigest(command), answered: false });
  }

  /** The person's answer, when there is one, to the hook. */
  private async deliver(entry: Pending, channel: string): Promise<void> {
    const ask = entry.askId === null ? null : await this.deps.asks.get(entry.askId);
    const answer: InboxAnswer | null | undefined = ask?.answer;
    if (!answer || !("decision" in answer)) return;
    writeAnswer(channel, entry.call, {
      decision: answer.decision,
      by: answer.by,
      ...(answer.reason !== undefined && { reason: answer.reason }),
      digest: entry.digest,
    });
    entry.answered = true;
    if (entry.askId !== null) await this.deps.asks.settled(entry.askId);
  }

  /** Its hook gave up (or was killed with its task), or its task ended: nobody waits for the answer. */
  private async forget(key: string, entry: Pending, channel: string, requestLeft: boolean): Promise<void> {
    this.pending.delete(key);
    rmSync(join(answersDir(channel), `${entry.call}.json`), { force: true });
    if (requestLeft) rmSync(join(requestsDir(channel), `${entry.call}.json`), { force: true });
    if (entry.askId === null || entry.answered) return;
    const ask = await this.deps.asks.get(entry.askId);
    await this.deps.asks.settled(entry.askId);
    if (ask) await this.deps.inbox.withdraw(ask.item, `the Bash call of task ${entry.taskId} is not waiting any more (its task ended or the call gave up)`);
  }
}

function listCalls(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(".json") && CALL_ID.test(name.slice(0, -5)))
      .map((name) => name.slice(0, -5));
  } catch {
    return [];
  }
}

function commandOf(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as { command?: unknown };
    return typeof parsed.command === "string" && parsed.command !== "" ? parsed.command : null;
  } catch {
    return null;
  }
}

/** One rename into the answers folder: the hook never reads half an answer. */
function writeAnswer(channel: string, call: string, answer: AskAnswerFile): void {
  const dir = answersDir(channel);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = join(dir, `.${call}.tmp`);
  writeFileSync(temporary, JSON.stringify(answer), { mode: 0o600 });
  renameSync(temporary, join(dir, `${call}.json`));
}

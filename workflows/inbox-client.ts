import {
  AgentSpend,
  answerAgentBudget,
  answerPolicyAsk,
  answerPromptAsk,
  promptChoiceAnswer,
  checkAnswer,
  InboxStore,
  PolicyAsks,
  UsageError,
  type GivenAnswer,
  type InboxAnswer,
  type InboxItem,
  type Ledger,
} from "../core/index.js";
import { clientInternals, type SwarmClient } from "../client/index.js";
import type { WorkflowClient } from "./client.js";

/**
 * The inbox as the CLI, the SDK (and later the API) see it: list and read items,
 * and answer one. An answer is checked against what the item asks, then handed to
 * whoever waits for it (a workflow step or run, an agent's budget, a command an agent's policy
 * asks about, an interactive program's permission prompt), which records it on the item.
 */
export class InboxClient {
  readonly store: InboxStore;
  private readonly spend: AgentSpend;
  private readonly asks: PolicyAsks;
  private readonly ledger: Ledger;

  constructor(
    private readonly swarm: SwarmClient,
    private readonly workflows: WorkflowClient,
  ) {
    const { redis, keys, ledger } = clientInternals(swarm);
    this.store = new InboxStore(redis, keys.prefix, keys.events);
    this.spend = new AgentSpend(redis, keys);
    this.asks = new PolicyAsks(redis, keys);
    this.ledger = ledger;
  }

  /** Open items, oldest first; `all`: the newest items of any status. */
  list(options: { all?: boolean; limit?: number } = {}): Promise<InboxItem[]> {
    return this.store.list(options);
  }

  /** An item by id, or by a prefix that only one open item has (`i-4k` for `i-4kq9z2`). */
  async get(idOrPrefix: string): Promise<InboxItem> {
    const exact = await this.store.get(idOrPrefix);
    if (exact !== null) return exact;
    const matches = idOrPrefix.length >= 3 ? (await this.store.list()).filter((item) => item.id.startsWith(idOrPrefix)) : [];
    if (matches.length === 1 && matches[0] !== undefined) return matches[0];
    if (matches.length > 1) throw new UsageError(`"${idOrPrefix}" matches ${matches.length} open items: ${matches.map((m) => m.id).join(", ")}`);
    return this.store.mustGet(idOrPrefix);
  }

  /** Checks and applies an answer; returns the item as it is afterwards. */
  async answer(idOrPrefix: string, given: GivenAnswer): Promise<InboxItem> {
    const item = await this.get(idOrPrefix);
    if (item.status !== "open") {
      const when = item.closedAt ?? "earlier";
      throw new UsageError(
        item.status === "withdrawn"
          ? `inbox item ${item.id} was withdrawn at ${when}${item.reason ? ` (${item.reason})` : ""}`
          : `inbox item ${item.id} was already answered at ${when}${item.answer ? ` by ${item.answer.by}` : ""}`,
      );
    }
    const answer = checkAnswer(item, promptChoiceAnswer(item, given));
    const source = item.source;
    if (source.type === "workflow") await this.workflows.answerStep(source.executionId, source.step, answer);
    else if (source.type === "policy") await answerPolicyAsk({ asks: this.asks, inbox: this.store, ledger: this.ledger }, item, answer);
    else if (source.type === "prompt") await answerPromptAsk({ inbox: this.store, ledger: this.ledger }, item, answer);
    else if (source.type === "task") await this.answerFailedTask(item, source.taskId, answer);
    else if ("executionId" in source) await this.workflows.answerBudget(source.executionId, item.id, answer);
    else {
      const budget = this.swarm.config.agents.find((agent) => agent.name === source.agent)?.budget;
      await answerAgentBudget({ spend: this.spend, inbox: this.store }, item, answer, budget);
    }
    return this.store.mustGet(item.id);
  }

  /** A failed task's item: approve runs it again (the retry answers the item), deny dismisses it. */
  private async answerFailedTask(item: InboxItem, taskId: string, answer: InboxAnswer): Promise<void> {
    if (!("decision" in answer)) throw new UsageError(`inbox item ${item.id} takes approve (run the task again) or deny (dismiss it)`);
    if ((await this.ledger.get(taskId)) === null) {
      await this.store.withdraw(item.id, `task ${taskId} is gone (past its retention)`);
      throw new UsageError(`inbox item ${item.id} no longer applies: task ${taskId} is gone`, { context: { item: item.id } });
    }
    if (answer.decision === "deny") await this.store.answer(item.id, answer);
    else
      await this.swarm.retry(taskId, {
        origin: { actor: answer.by, via: this.swarm.origin.via },
        ...(answer.reason !== undefined && { reason: answer.reason }),
      });
  }
}

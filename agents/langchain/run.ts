/**
 * One task of the LangChain agent: a `createAgent` tool-calling loop over an
 * OpenAI-compatible chat-completions endpoint, continuing the session's
 * conversation, reporting every model turn and tool call on the event
 * stream, and ending with one `result` event (answer, tool calls, tokens).
 */
import { readFileSync } from "node:fs";
import { ChatOpenAICompletions } from "@langchain/openai";
import { HumanMessage, type AIMessage, type BaseMessage } from "@langchain/core/messages";
import { createAgent } from "langchain";
import { compilePolicy } from "../../core/index.js";
import { isLimitMessage } from "../events.js";
import { loadConversation, saveConversation } from "./conversation.js";
import type { LangchainEvent, ResultEvent, ToolCallSummary } from "./events.js";
import type { ProgramOptions } from "./options.js";
import { agentTools } from "./tools.js";
import { Workspace } from "./workspace.js";

export interface TaskRun {
  readonly options: ProgramOptions;
  readonly prompt: string;
  readonly sessionId: string;
  readonly emit: (event: LangchainEvent) => void;
  readonly startedAt: number;
  /** Aborted on SIGINT/SIGTERM: the conversation so far is saved before the program exits. */
  readonly signal: AbortSignal;
}

/** Retries of one model request (rate limits, 5xx); the task's own time limit bounds the rest. */
const MODEL_RETRIES = 2;

/** The agent's role first (what it is for, what to refuse, how to report), then how its tools work. */
export function systemPrompt(cwd: string, role: string | null = null): string {
  const rules = [
    `You are a coding agent working in the directory ${cwd}.`,
    "Use the tools to look at and change files there, run commands and commit with git. Paths are relative to that directory and cannot leave it.",
    "Commands are checked against a policy: a refused command did not run; do not try to get around the refusal.",
    "When the task is done, answer with a short summary of what you did.",
  ].join("\n");
  return role === null ? rules : `${role}\n\n## How you work here\n${rules}`;
}

/** Runs the task and returns the program's exit code (0 done, 1 failed). */
export async function runTask(run: TaskRun): Promise<number> {
  const { options, emit } = run;
  const calls: ToolCallSummary[] = [];
  const usage = { turns: 0, input: 0, output: 0 };
  const finish = (fields: Pick<ResultEvent, "is_error" | "answer"> & { error?: string; rate_limited?: boolean }): number => {
    emit({
      type: "result",
      session_id: run.sessionId,
      turns: usage.turns,
      input_tokens: usage.input,
      output_tokens: usage.output,
      tool_calls: calls,
      duration_ms: Date.now() - run.startedAt,
      ...fields,
    });
    return fields.is_error ? 1 : 0;
  };

  let history: BaseMessage[] = [];
  let role: string | null = null;
  try {
    if (options.resume) history = loadConversation(options.conversations, options.resume);
    if (options.roleFile) role = readFileSync(options.roleFile, "utf8").trim() || null;
  } catch (error) {
    return finish({ is_error: true, answer: "", error: messageOf(error) });
  }
  const apiKey = options.apiKeyEnv === null ? "not-needed" : process.env[options.apiKeyEnv];
  if (!apiKey)
    return finish({
      is_error: true,
      answer: "",
      error: `the variable ${options.apiKeyEnv} (llm.api_key_env) is not set in the agent's environment; add it to the agent's env in swarm.yaml or to the daemon's environment`,
    });

  const conversation: BaseMessage[] = [...history, new HumanMessage(run.prompt)];
  const save = () => saveConversation(options.conversations, run.sessionId, conversation);
  save(); // a task cancelled mid-way still leaves a conversation the session can continue
  try {
    const model = new ChatOpenAICompletions({
      model: options.model,
      apiKey,
      configuration: { baseURL: options.baseUrl },
      maxRetries: MODEL_RETRIES,
      streamUsage: true,
    });
    const policy = compilePolicy({ deny: options.deny, ask: options.ask, allow: options.allow });
    const tools = agentTools({
      workspace: new Workspace(options.cwd),
      policy,
      emit,
      calls,
      commandTimeoutMs: options.commandTimeoutSec * 1000,
      askChannel: options.askChannel,
    });
    const agent = createAgent({ model, tools, systemPrompt: systemPrompt(options.cwd, role) });
    // "messages" makes every model request stream (SSE), which also spares LangChain's token estimate
    // (it downloads a tokenizer, which hangs offline); "updates" gives each node's finished messages.
    const stream = await agent.stream(
      { messages: [...conversation] },
      { streamMode: ["updates", "messages"], recursionLimit: options.maxTurns * 2 + 1, signal: run.signal },
    );
    for await (const [mode, data] of stream as AsyncIterable<[string, unknown]>) {
      if (mode !== "updates") continue;
      for (const update of Object.values(data as Record<string, { messages?: BaseMessage[] } | undefined>)) {
        for (const message of update?.messages ?? []) {
          conversation.push(message);
          if (message.type !== "ai") continue;
          usage.turns += 1;
          usage.input += (message as AIMessage).usage_metadata?.input_tokens ?? 0;
          usage.output += (message as AIMessage).usage_metadata?.output_tokens ?? 0;
          if (message.text.trim() !== "") emit({ type: "assistant", text: message.text });
        }
      }
    }
    save();
    const last = [...conversation].reverse().find((message) => message.type === "ai");
    return finish({ is_error: false, answer: last?.text ?? "" });
  } catch (error) {
    save();
    const message = run.signal.aborted ? "interrupted" : describeError(error, options.maxTurns);
    return finish({ is_error: true, answer: "", error: message, ...(isRateLimit(error, message) ? { rate_limited: true } : {}) });
  }
}

function describeError(error: unknown, maxTurns: number): string {
  if (error instanceof Error && error.name === "GraphRecursionError") return `the agent stopped after ${maxTurns} turns without finishing`;
  return messageOf(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isRateLimit(error: unknown, message: string): boolean {
  return (error as { status?: unknown } | null)?.status === 429 || isLimitMessage(message);
}

/**
 * Our own agent program, built on LangChain: `node dist/agents/langchain/program.js`
 * runs one task (a tool-calling agent over any OpenAI-compatible endpoint,
 * `llm` in swarm.yaml) with the prompt on stdin and JSONL events on stdout,
 * through the same pipeline as the other headless programs, so it is
 * watched, timed out, cancelled and re-adopted like them. Conversations are
 * files in the agent's config folder, continued with `--resume <session id>`.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentJob, AgentRuntime, ScriptPaths } from "../runtime.js";
import { option, pipeline } from "../script.js";
import { parseLangchainEvents, renderLangchainEvent } from "./stream.js";

/** program.js next to this module (dist/agents/langchain/ once built). */
export function langchainProgramPath(): string {
  return fileURLToPath(new URL("./program.js", import.meta.url));
}

/** Where the agent keeps its conversations: one JSON file per session id. */
export function conversationsDir(configDir: string): string {
  return join(configDir, "conversations");
}

export function langchainArgv(job: AgentJob, paths: ScriptPaths): string[] {
  const policy = job.policy;
  return [
    paths.node,
    langchainProgramPath(),
    "--cwd",
    job.cwd,
    "--conversations",
    conversationsDir(paths.configDir),
    ...option("--base-url", job.llm?.baseUrl),
    ...option("--model", job.llm?.model),
    ...option("--api-key-env", job.llm?.apiKeyEnv),
    ...option("--resume", job.fresh ? null : job.resumeId),
    // The role as a file the program reads: its text never becomes part of the script.
    ...option("--role-file", job.roleFile),
    // `--deny=…`: a pattern starting with a dash after a separate `--deny` is refused by parseArgs as ambiguous.
    ...(policy?.deny ?? []).map((pattern) => `--deny=${pattern}`),
    ...(policy?.ask ?? []).map((pattern) => `--ask=${pattern}`),
    // Where an asked command waits for a person (agents/policy-hook/ask-channel.ts).
    ...((policy?.ask ?? []).length > 0 ? option("--ask-channel", job.askChannel) : []),
    ...(policy?.allow ?? []).map((pattern) => `--allow=${pattern}`),
  ];
}

export const langchainRuntime: AgentRuntime = {
  name: "langchain",
  defaultMode: "headless",
  unversioned: true,
  structured: true,
  buildScript(job: AgentJob, paths: ScriptPaths): string {
    return pipeline({ runtime: "langchain", argv: langchainArgv(job, paths), env: {}, prompt: "stdin" }, job, paths);
  },
  parseEvents: parseLangchainEvents,
  renderEvent: renderLangchainEvent,
};

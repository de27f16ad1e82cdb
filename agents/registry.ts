import { addRuntimeName, type BuiltInRuntime, type Runtime } from "../core/index.js";
import { aiderRuntime } from "./aider/adapter.js";
import { claudeRuntime } from "./claude/adapter.js";
import { interactiveClaude } from "./claude/interactive/index.js";
import { codexRuntime } from "./codex/adapter.js";
import { geminiRuntime } from "./gemini/adapter.js";
import { langchainRuntime } from "./langchain/adapter.js";
import { qwenRuntime } from "./qwen/adapter.js";
import { combinePrograms, type InteractiveFactory, type InteractivePrograms, type InteractiveProgramDeps } from "./interactive-program.js";
import type { AgentRuntime } from "./runtime.js";
import { shellRuntime } from "./shell/adapter.js";

/**
 * The built-in agent programs, one line each; the type makes it list exactly
 * the built-in runtimes of core/config/types.ts. Others join with registerRuntime.
 */
const ADAPTERS: Readonly<Record<BuiltInRuntime, AgentRuntime>> = {
  shell: shellRuntime,
  claude: claudeRuntime,
  codex: codexRuntime,
  gemini: geminiRuntime,
  qwen: qwenRuntime,
  aider: aiderRuntime,
  langchain: langchainRuntime,
};

/** Programs registered at run time, by name. */
const REGISTERED = new Map<string, AgentRuntime>();

/** An adapter for registerRuntime: its name is any name not yet taken. */
export type RuntimeDefinition = Omit<AgentRuntime, "name"> & { readonly name: string };

/**
 * Adds an agent program from outside this folder: its adapter, under its
 * name, which swarm.yaml's `runtime:` then accepts (the config asks core's
 * list of names, which this extends). It must run before the config is read,
 * in every process that reads it or dispatches (the daemon: `node --import`).
 * Throws a ConfigError for a malformed or taken name.
 */
export function registerRuntime(definition: RuntimeDefinition): AgentRuntime {
  const adapter: AgentRuntime = { ...definition, name: addRuntimeName(definition.name) };
  REGISTERED.set(adapter.name, adapter);
  return adapter;
}

export function runtimeAdapter(name: Runtime): AgentRuntime {
  const adapter = Object.hasOwn(ADAPTERS, name) ? ADAPTERS[name as BuiltInRuntime] : REGISTERED.get(name);
  if (!adapter) throw new Error(`no adapter for runtime "${name}"`);
  return adapter;
}

export function isRuntimeName(name: string): name is Runtime {
  return Object.hasOwn(ADAPTERS, name) || REGISTERED.has(name);
}

/** The runtimes whose program can also run interactively, its TUI the pane's own program (`mode: interactive`). */
const INTERACTIVE: Readonly<Partial<Record<Runtime, InteractiveFactory>>> = {
  claude: interactiveClaude,
};

/** One instance of each interactive program, for a swarm's bridge. */
export function interactivePrograms(deps: InteractiveProgramDeps): InteractivePrograms {
  return combinePrograms(Object.values(INTERACTIVE).map((create) => create!(deps)));
}

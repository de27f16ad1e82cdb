import type { Runtime } from "../core/index.js";
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

/** Every agent program we can drive; the type makes it list exactly the runtimes swarm.yaml accepts. */
const ADAPTERS: Readonly<Record<Runtime, AgentRuntime>> = {
  shell: shellRuntime,
  claude: claudeRuntime,
  codex: codexRuntime,
  gemini: geminiRuntime,
  qwen: qwenRuntime,
  aider: aiderRuntime,
  langchain: langchainRuntime,
};

export function runtimeAdapter(name: Runtime): AgentRuntime {
  const adapter = ADAPTERS[name] as AgentRuntime | undefined;
  if (!adapter) throw new Error(`no adapter for runtime "${name}"`);
  return adapter;
}

export function isRuntimeName(name: string): name is Runtime {
  return Object.hasOwn(ADAPTERS, name);
}

/** The runtimes whose program can also run interactively, its TUI the pane's own program (`mode: interactive`). */
const INTERACTIVE: Readonly<Partial<Record<Runtime, InteractiveFactory>>> = {
  claude: interactiveClaude,
};

/** One instance of each interactive program, for a swarm's bridge. */
export function interactivePrograms(deps: InteractiveProgramDeps): InteractivePrograms {
  return combinePrograms(Object.values(INTERACTIVE).map((create) => create!(deps)));
}

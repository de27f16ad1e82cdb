/**
 * What `init` writes when no `--template` is given: the specialists on the
 * first agent program that is installed and can authenticate, in the order
 * Claude Code, Codex, Gemini CLI, Qwen Code; then the built-in LangChain
 * agent when an OpenAI-compatible endpoint is configured (OPENAI_BASE_URL);
 * shell agents only when none of these can run a task. A pure function of
 * what discovery found, with the reason in words for the person running init.
 */
import type { ProgramRuntime, TemplateName } from "../core/index.js";
import type { ProgramReport } from "./agent-programs.js";

/** `claude` is the specialists roster, on `runtime` (Claude Code, or the program chosen instead). */
export interface RosterChoice {
  readonly template: Extract<TemplateName, "claude" | "shell">;
  readonly runtime: ProgramRuntime | "langchain" | "shell";
  readonly why: string;
}

const ORDER: readonly ProgramRuntime[] = ["claude", "codex", "gemini", "qwen"];
const NAMES: Readonly<Record<ProgramRuntime, string>> = { claude: "Claude Code", codex: "Codex", gemini: "Gemini CLI", qwen: "Qwen Code", aider: "aider" };

export function chooseRoster(programs: readonly ProgramReport[], env: NodeJS.ProcessEnv): RosterChoice {
  const passedOver: string[] = [];
  for (const runtime of ORDER) {
    const found = programs.find((p) => p.runtime === runtime);
    if (!found?.installed) continue;
    if (found.ready) {
      const how = found.detail.split("; ").slice(1).join("; ");
      return {
        template: "claude",
        runtime,
        why: `${NAMES[runtime]} is installed (${found.path}) and can authenticate: ${how}${skipped(passedOver, " (", ")")}`,
      };
    }
    passedOver.push(NAMES[runtime]);
  }
  if ((env.OPENAI_BASE_URL ?? "") !== "") {
    return {
      template: "claude",
      runtime: "langchain",
      why: `OPENAI_BASE_URL is set, so the built-in LangChain agent uses that endpoint${skipped(passedOver, " (", ")")}`,
    };
  }
  const none = passedOver.length > 0 ? skipped(passedOver, "", "") : "no agent program (Claude Code, Codex, Gemini CLI, Qwen Code) was found";
  return { template: "shell", runtime: "shell", why: `${none}, and OPENAI_BASE_URL is not set: shell agents, whose tasks are bash command lines` };
}

/** "Claude Code and Codex are installed but cannot authenticate (…)", or "" when none was passed over. */
function skipped(names: readonly string[], before: string, after: string): string {
  if (names.length === 0) return "";
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  const verb = names.length === 1 ? "is" : "are";
  return `${before}${list} ${verb} installed but cannot authenticate: no API key or login found; \`claude-agent doctor\` says what each needs${after}`;
}

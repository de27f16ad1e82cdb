/** The command line of program.ts, as adapter.ts writes it: paths and settings from swarm.yaml, never task text. */
import { parseArgs } from "node:util";

export interface ProgramOptions {
  readonly cwd: string;
  /** Folder of the conversation files. */
  readonly conversations: string;
  readonly baseUrl: string;
  readonly model: string;
  /** The variable holding the API key; null when the server needs none. */
  readonly apiKeyEnv: string | null;
  readonly resume: string | null;
  /** The file holding the agent's role (swarm.yaml `role:`), put at the head of the system message; null: none. */
  readonly roleFile: string | null;
  readonly deny: readonly string[];
  /** Commands the policy sends to a person: they wait in `askChannel`, or are refused without one. */
  readonly ask: readonly string[];
  /** The session's ask folder (`--ask-channel`), where an asked command waits for a person's answer; null: none. */
  readonly askChannel: string | null;
  readonly allow: readonly string[];
  /** Model round trips one task may take before it is stopped. */
  readonly maxTurns: number;
  readonly commandTimeoutSec: number;
}

const DEFAULT_MAX_TURNS = 40;
const DEFAULT_COMMAND_TIMEOUT_SEC = 300;

export function parseProgramArgs(argv: readonly string[]): ProgramOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      cwd: { type: "string" },
      conversations: { type: "string" },
      "base-url": { type: "string" },
      model: { type: "string" },
      "api-key-env": { type: "string" },
      resume: { type: "string" },
      "role-file": { type: "string" },
      deny: { type: "string", multiple: true },
      ask: { type: "string", multiple: true },
      "ask-channel": { type: "string" },
      allow: { type: "string", multiple: true },
      "max-turns": { type: "string" },
      "command-timeout": { type: "string" },
    },
  });
  const required = (name: "cwd" | "conversations" | "base-url" | "model"): string => {
    const value = values[name];
    if (!value)
      throw new Error(`--${name} is required${name === "base-url" || name === "model" ? " (set llm.base_url and llm.model on the agent in swarm.yaml)" : ""}`);
    return value;
  };
  return {
    cwd: required("cwd"),
    conversations: required("conversations"),
    baseUrl: required("base-url"),
    model: required("model"),
    apiKeyEnv: values["api-key-env"] ?? null,
    resume: values.resume ?? null,
    roleFile: values["role-file"] ?? null,
    deny: values.deny ?? [],
    ask: values.ask ?? [],
    askChannel: values["ask-channel"] ?? null,
    allow: values.allow ?? [],
    maxTurns: positive("max-turns", values["max-turns"], DEFAULT_MAX_TURNS),
    commandTimeoutSec: positive("command-timeout", values["command-timeout"], DEFAULT_COMMAND_TIMEOUT_SEC),
  };
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`--${name}: expected a positive whole number, got ${JSON.stringify(value)}`);
  return number;
}

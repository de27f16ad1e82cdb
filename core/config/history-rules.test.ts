import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { DEFAULT_HISTORY_RETENTION_MS, DEFAULT_MEMORY_MAX_CHARS, DEFAULT_MEMORY_TOP_K, parseConfig } from "./index.js";

const options = { file: "/project/swarm.yaml", baseDir: "/project" };
const DAY = 24 * 3600 * 1000;
const LLM = "{ base_url: http://127.0.0.1:9/v1, model: m }";

function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError, but the config loaded");
}

describe("database, memory and llm.embeddings in swarm.yaml", () => {
  it("leaves them absent when the file has none: SQLite in the home, history kept a year, no embeddings", () => {
    const config = parseConfig("agents:\n  - { name: api, runtime: shell }\n", options);
    expect(config.database).toBeUndefined();
    expect(config.memory).toBeUndefined();
    expect(config.llm).toBeUndefined();
    expect(DEFAULT_HISTORY_RETENTION_MS).toBe(365 * DAY);
  });

  it("reads a PostgreSQL URL, a history retention, a memory expiry and an embeddings endpoint", () => {
    const config = parseConfig(
      `agents:\n  - { name: api, runtime: shell }\ndatabase: { url: "postgres://u:p@127.0.0.1:5433/h", retention: 90d }\nmemory: { expire: 30d }\nllm: { embeddings: { base_url: "http://127.0.0.1:9/v1/", model: emb, api_key_env: EMB_KEY } }\n`,
      options,
    );
    expect(config.database).toEqual({ url: "postgres://u:p@127.0.0.1:5433/h", retentionMs: 90 * DAY });
    expect(config.memory).toEqual({ expireMs: 30 * DAY });
    expect(config.llm).toEqual({ embeddings: { baseUrl: "http://127.0.0.1:9/v1", model: "emb", apiKeyEnv: "EMB_KEY" } });
  });

  it("gives an agent program's memory injection its defaults", () => {
    const config = parseConfig(`agents:\n  - { name: coder, runtime: langchain, llm: ${LLM}, memory: { inject: true } }\n`, options);
    expect(config.agents[0]?.memory).toEqual({ inject: true, topK: DEFAULT_MEMORY_TOP_K, maxChars: DEFAULT_MEMORY_MAX_CHARS });
  });

  it("reports every bad value with its path", () => {
    const problems = problemsOf(
      `agents:\n  - { name: api, runtime: shell, memory: { inject: true } }\n  - { name: c, runtime: claude, mode: interactive, memory: { inject: true, top_k: 0 } }\ndatabase: { url: "mysql://x", retention: soon }\nmemory: { expire: -1 }\nllm: { embeddings: { model: m } }\n`,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'swarm.yaml: database.url: expected a postgres:// or postgresql:// URL, got "mysql://x"',
        expect.stringMatching(/^swarm\.yaml: database\.retention: expected a positive duration/),
        expect.stringMatching(/^swarm\.yaml: memory\.expire: expected a positive duration/),
        expect.stringMatching(/^swarm\.yaml: llm\.embeddings\.base_url: expected an http\(s\) URL/),
        "swarm.yaml: agents.1.memory.top_k: expected a whole number from 1 to 50, got 0",
        "swarm.yaml: agents.0.memory.inject: a shell agent's task is a command; memory is injected into agent programs' prompts only",
        expect.stringMatching(/^swarm\.yaml: agents\.1\.memory\.inject: not supported for interactive agents yet/),
      ]),
    );
  });
});

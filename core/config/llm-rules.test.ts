import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { configTemplate, parseConfig } from "./index.js";

const options = { file: "/project/swarm.yaml", baseDir: "/project" };

function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError, but the config loaded");
}

const LLM = "{ base_url: 'http://localhost:11434/v1/', model: qwen2.5-coder, api_key_env: OLLAMA_KEY }";

describe("the langchain runtime and llm", () => {
  it("reads llm, trimming the URL's trailing slash", () => {
    const config = parseConfig(`agents:\n  - { name: coder, runtime: langchain, llm: ${LLM} }\n`, options);
    expect(config.agents[0]).toMatchObject({
      runtime: "langchain",
      llm: { baseUrl: "http://localhost:11434/v1", model: "qwen2.5-coder", apiKeyEnv: "OLLAMA_KEY" },
    });
    expect(Object.isFrozen(config.agents[0]?.llm)).toBe(true);
  });

  it("takes an llm without a key for servers that need none", () => {
    const config = parseConfig("agents:\n  - { name: coder, runtime: langchain, llm: { base_url: 'http://127.0.0.1:1234/v1', model: local } }\n", options);
    expect(config.agents[0]?.llm).toEqual({ baseUrl: "http://127.0.0.1:1234/v1", model: "local", apiKeyEnv: null });
  });

  it.each([
    ["a missing llm", "{ name: a, runtime: langchain }", ["agents.0.llm: required by the langchain runtime: { base_url, model, api_key_env }"]],
    [
      "a bad URL",
      "{ name: a, runtime: langchain, llm: { base_url: 'localhost:11434', model: m } }",
      ['agents.0.llm.base_url: expected an http(s) URL such as http://localhost:11434/v1, got "localhost:11434"'],
    ],
    ["a missing model", "{ name: a, runtime: langchain, llm: { base_url: 'http://x/v1' } }", ["agents.0.llm.model: expected a model name, got nothing"]],
    [
      "a bad key variable",
      "{ name: a, runtime: langchain, llm: { base_url: 'http://x/v1', model: m, api_key_env: 'my key' } }",
      ['agents.0.llm.api_key_env: expected a variable name of letters, digits and underscores, got "my key"'],
    ],
    [
      "an unknown llm key",
      "{ name: a, runtime: langchain, llm: { base_url: 'http://x/v1', model: m, temperature: 1 } }",
      ["agents.0.llm.temperature: unknown key"],
    ],
    [
      "model, command and args",
      `{ name: a, runtime: langchain, llm: ${LLM}, model: m, command: x, args: [y] }`,
      [
        "agents.0.model: not used by the langchain runtime; set llm.model",
        "agents.0.command: not used by the langchain runtime (the program is built in)",
        "agents.0.args: not used by the langchain runtime (the program is built in)",
      ],
    ],
    [
      "llm on another runtime",
      `{ name: a, runtime: claude, llm: ${LLM} }`,
      ["agents.0.llm: only used by the langchain runtime (the claude program picks its model with `model`/`args`)"],
    ],
  ])("reports %s with its path", (_what, agent, problems) => {
    expect(problemsOf(`agents:\n  - ${agent}\n`)).toEqual(problems.map((p) => `swarm.yaml: ${p}`));
  });
});

describe("policy", () => {
  it("reads deny, ask and allow patterns of shell and langchain agents", () => {
    const text = `agents:\n  - { name: sh, runtime: shell, policy: { deny: ['git\\s+push'], ask: ['--context=prod'] } }\n  - { name: lc, runtime: langchain, llm: ${LLM}, policy: { allow: ['^npm test$'] } }\n`;
    const [sh, lc] = parseConfig(text, options).agents;
    expect(sh?.policy).toEqual({ deny: ["git\\s+push"], ask: ["--context=prod"], allow: [] });
    expect(lc?.policy).toEqual({ deny: [], ask: [], allow: ["^npm test$"] });
  });

  it("leaves policy out when it is not set", () => {
    expect(parseConfig("agents:\n  - { name: sh, runtime: shell }\n", options).agents[0]).not.toHaveProperty("policy");
  });

  it("reports a pattern that is not a regular expression, with its path", () => {
    expect(problemsOf("agents:\n  - { name: sh, runtime: shell, policy: { deny: [ok, '(unclosed'] } }\n")).toEqual([
      'swarm.yaml: agents.0.policy.deny.1: expected a regular expression, got "(unclosed" (Invalid regular expression: /(unclosed/: Unterminated group)',
    ]);
    expect(problemsOf("agents:\n  - { name: sh, runtime: shell, policy: { ask: ['[z-a]'] } }\n")).toEqual([
      'swarm.yaml: agents.0.policy.ask.0: expected a regular expression, got "[z-a]" (Invalid regular expression: /[z-a]/: Range out of order in character class)',
    ]);
  });

  it.each([
    ["a pattern list that is a string", "policy: { allow: x }", 'agents.0.policy.allow: expected a list of regular expressions, got "x"'],
    ["an unknown policy key", "policy: { block: [x] }", "agents.0.policy.block: unknown key"],
  ])("reports %s", (_what, field, problem) => {
    expect(problemsOf(`agents:\n  - { name: sh, runtime: shell, ${field} }\n`)).toEqual([`swarm.yaml: ${problem}`]);
  });

  it("refuses a policy on programs with their own permission flags", () => {
    expect(problemsOf("agents:\n  - { name: a, runtime: aider, policy: { deny: [x] } }\n")).toEqual([
      "swarm.yaml: agents.0.policy: applies to shell agents, the langchain agent's command tool and the shell tool of Claude Code, Codex, Gemini CLI and Qwen Code; the aider program has no hook for it, only its own permission flags (`args`)",
    ]);
  });

  it("refuses a policy on a Qwen Code agent whose args or variables turn its hooks off", () => {
    expect(problemsOf("agents:\n  - { name: q, runtime: qwen, args: [--bare], policy: { deny: [x] } }\n")).toEqual([
      "swarm.yaml: agents.0.args: --bare turns every Qwen Code hook off, and with it this agent's policy; remove one of them",
    ]);
    expect(problemsOf("agents:\n  - { name: q, runtime: qwen, args: [--safe-mode], env: { QWEN_CODE_SIMPLE: '1' }, policy: { deny: [x] } }\n")).toEqual([
      "swarm.yaml: agents.0.args: --safe-mode turns every Qwen Code hook off, and with it this agent's policy; remove one of them",
      "swarm.yaml: agents.0.env.QWEN_CODE_SIMPLE: turns every Qwen Code hook off, and with it this agent's policy; remove one of them",
    ]);
    expect(() => parseConfig("agents:\n  - { name: q, runtime: qwen, args: [--bare] }\n", options)).not.toThrow();
  });

  it.each(["claude", "codex", "gemini", "qwen"])("accepts a policy on %s, whose hook before a tool call runs our checker", (runtime) => {
    const config = parseConfig(`agents:\n  - { name: p, runtime: ${runtime}, policy: { deny: [x], ask: [y] } }\n`, options);
    expect(config.agents[0]!.policy).toEqual({ deny: ["x"], ask: ["y"], allow: [] });
  });
});

describe("supervisor", () => {
  it("reads the supervisor's llm and routing timeout", () => {
    const config = parseConfig(`agents:\n  - { name: a, runtime: shell }\nsupervisor:\n  llm: ${LLM}\n  route_timeout: 3\n`, options);
    expect(config.supervisor).toEqual({ llm: { baseUrl: "http://localhost:11434/v1", model: "qwen2.5-coder", apiKeyEnv: "OLLAMA_KEY" }, routeTimeoutSec: 3 });
  });

  it("defaults the routing timeout to 10 s and leaves supervisor out when absent", () => {
    expect(parseConfig(`agents:\n  - { name: a, runtime: shell }\nsupervisor: { llm: ${LLM} }\n`, options).supervisor?.routeTimeoutSec).toBe(10);
    expect(parseConfig("agents:\n  - { name: a, runtime: shell }\n", options)).not.toHaveProperty("supervisor");
  });

  it("reports its problems with their paths", () => {
    expect(problemsOf("agents:\n  - { name: a, runtime: shell }\nsupervisor: { llm: { model: m }, route_timeout: 0, colour: red }\n")).toEqual([
      "swarm.yaml: supervisor.llm.base_url: expected an http(s) URL such as http://localhost:11434/v1, got nothing",
      "swarm.yaml: supervisor.route_timeout: expected a positive integer, got 0",
      "swarm.yaml: supervisor.colour: unknown key",
    ]);
  });
});

describe("the template's commented supervisor example", () => {
  it("loads once uncommented", () => {
    const text = configTemplate().replace(/^# (supervisor:|  llm: .*|  route_timeout: .*)$/gm, "$1");
    expect(parseConfig(text, options).supervisor).toEqual({
      llm: { baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini", apiKeyEnv: "OPENAI_API_KEY" },
      routeTimeoutSec: 10,
    });
  });
});

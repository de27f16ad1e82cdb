import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, UsageError } from "../errors.js";
import { DEFAULT_TIMEOUT_SEC, agentConfigDir, configDigest, configFromObject, findConfigFile, limitsOf, loadConfig, parseConfig } from "./index.js";

const options = { file: "/project/swarm.yaml", baseDir: "/project" };
const agent = (fields: string): string => `agents:\n  - name: api\n    runtime: shell\n${fields}`;

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError, but the config loaded");
}

const problemsOf = (run: () => unknown): readonly string[] => configErrorOf(run).problems;

describe("parseConfig on a valid file", () => {
  it("applies every default to a minimal agent", () => {
    const config = parseConfig("agents:\n  - name: api\n    runtime: shell\n", options);
    expect(config).toEqual({
      source: "/project/swarm.yaml",
      // The text's own digest, which hosts compare (core/hosts/config-version.ts).
      digest: configDigest("agents:\n  - name: api\n    runtime: shell\n"),
      defaultAgent: null,
      agents: [
        {
          name: "api",
          runtime: "shell",
          replicas: 1,
          cwd: "/project",
          routes: [],
          env: {},
          timeout: DEFAULT_TIMEOUT_SEC,
          mode: "headless",
          command: null,
          model: null,
          args: [],
          worktree: false,
          commit: false,
          gate: null,
          gateRetries: 0,
        },
      ],
    });
  });

  it("keeps given fields, lowercases and trims routes and stringifies env values", () => {
    const text = agent("    replicas: 3\n    routes: [' API ', Endpoint]\n    env: { A: x, B: 2, C: true }\n    timeout: 30\ndefault_agent: api\n");
    const [api] = parseConfig(text, options).agents;
    expect(api).toMatchObject({ replicas: 3, routes: ["api", "endpoint"], env: { A: "x", B: "2", C: "true" }, timeout: 30 });
    expect(parseConfig(text, options).defaultAgent).toBe("api");
  });

  it("resolves a relative cwd against baseDir and keeps an absolute one", () => {
    const text = "agents:\n  - { name: a, runtime: shell, cwd: ../web }\n  - { name: b, runtime: shell, cwd: /srv/b }\n";
    expect(parseConfig(text, options).agents.map((a) => a.cwd)).toEqual(["/web", "/srv/b"]);
  });

  it("returns a deeply frozen config", () => {
    const config = parseConfig(agent("    routes: [api]\n    env: { A: x }\n"), options);
    for (const value of [config, config.agents, config.agents[0], config.agents[0]?.routes, config.agents[0]?.env, config.agents[0]?.args]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
  });
});

describe("parseConfig problems", () => {
  it.each([
    ["name", "agents:\n  - name: Backend API\n    runtime: shell\n", 'agents.0.name: expected lowercase letters, digits and hyphens, got "Backend API"'],
    ["missing name", "agents:\n  - runtime: shell\n", "agents.0.name: expected lowercase letters, digits and hyphens, got nothing"],
    [
      "runtime",
      "agents:\n  - name: api\n    runtime: docker\n",
      'agents.0.runtime: expected one of "shell", "claude", "codex", "gemini", "aider", "qwen", "langchain", got "docker"',
    ],
    ["mode", "agents:\n  - { name: a, runtime: claude, mode: batch }\n", 'agents.0.mode: expected one of "headless", "interactive", got "batch"'],
    ["model", "agents:\n  - { name: a, runtime: claude, model: '' }\n", 'agents.0.model: expected a model name, got ""'],
    ["args not a list", "agents:\n  - { name: a, runtime: claude, args: --verbose }\n", 'agents.0.args: expected a list of arguments, got "--verbose"'],
    ["arg", "agents:\n  - { name: a, runtime: claude, args: [{ a: 1 }] }\n", 'agents.0.args.0: expected a string, got {"a":1}'],
    ["replicas zero", agent("    replicas: 0\n"), "agents.0.replicas: expected a positive integer, got 0"],
    ["replicas fraction", agent("    replicas: 1.5\n"), "agents.0.replicas: expected a positive integer, got 1.5"],
    ["cwd", agent("    cwd: ''\n"), 'agents.0.cwd: expected a directory path, got ""'],
    ["routes not a list", agent("    routes: api\n"), 'agents.0.routes: expected a list of keywords, got "api"'],
    ["blank route", agent("    routes: [api, '  ']\n"), 'agents.0.routes.1: expected a non-empty keyword, got "  "'],
    ["env value", agent("    env: { A: [1] }\n"), "agents.0.env.A: expected a string, number or boolean, got [1]"],
    ["env name", agent("    env: { 1A: x }\n"), 'agents.0.env.1A: expected a variable name of letters, digits and underscores, got "1A"'],
    ["timeout", agent("    timeout: -5\n"), "agents.0.timeout: expected a positive integer, got -5"],
    ["agent key", agent("    colour: red\n"), "agents.0.colour: unknown key"],
    ["top-level key", agent("verbose: true\n"), "verbose: unknown key"],
    ["agent not a mapping", "agents: [api]\n", 'agents.0: expected a mapping with at least `name` and `runtime`, got "api"'],
    ["agents empty", "agents: []\n", "agents: expected at least one agent"],
    ["agents missing", "default_agent: api\n", "agents: expected a list of agents, got nothing"],
    ["default_agent type", agent("default_agent: 3\n"), "default_agent: expected an agent name, got 3"],
    ["document not a mapping", "- api\n", 'expected a mapping with an `agents` list, got ["api"]'],
  ])("reports a bad %s with its path and the value found", (_field, text, problem) => {
    expect(problemsOf(() => parseConfig(text, options))).toEqual([`swarm.yaml: ${problem}`]);
  });

  it("rejects an empty file", () => {
    expect(problemsOf(() => parseConfig("# nothing yet\n", options))).toEqual(["swarm.yaml: the file is empty; expected a mapping with an `agents` list"]);
  });

  it("reports every problem at once, one line each", () => {
    const text = "agents:\n  - name: api\n    runtime: shell\n    replicas: 0\n    timeout: x\n    colour: red\n";
    const error = configErrorOf(() => parseConfig(text, options));
    expect(error.message.split("\n")).toEqual([
      "swarm.yaml: agents.0.replicas: expected a positive integer, got 0",
      'swarm.yaml: agents.0.timeout: expected a positive integer, got "x"',
      "swarm.yaml: agents.0.colour: unknown key",
    ]);
    expect(error.hint).toBe("Fix /project/swarm.yaml and run the command again; `claude-agent init` writes a commented example.");
    expect(error.exitCode).toBe(2);
  });

  it("takes `swarm:` as the swarm's name and refuses one that could not name Redis keys", () => {
    expect(parseConfig(`swarm: prod-1\n${agent("")}`, options).swarm).toBe("prod-1");
    expect(parseConfig(agent(""), options).swarm).toBeUndefined();
    expect(problemsOf(() => parseConfig(`swarm: "Prod:*"\n${agent("")}`, options))).toEqual([
      'swarm.yaml: swarm: expected a name of lowercase letters, digits and hyphens (at most 48), got "Prod:*"',
    ]);
  });

  it("reports a duplicate agent name against its first use", () => {
    const text = "agents:\n  - { name: database, runtime: shell }\n  - { name: api, runtime: shell }\n  - { name: database, runtime: shell }\n";
    expect(problemsOf(() => parseConfig(text, options))).toEqual(['swarm.yaml: agents.2.name: duplicate agent name "database" (also agents.0)']);
  });

  it("reports a default_agent that names no agent, listing the agents", () => {
    const text = "agents:\n  - { name: backend-api, runtime: shell }\n  - { name: testing, runtime: shell }\ndefault_agent: nope\n";
    expect(problemsOf(() => parseConfig(text, options))).toEqual(['swarm.yaml: default_agent: unknown agent "nope"; agents are backend-api, testing']);
  });

  it("reports cross-field rules alongside field problems", () => {
    const text = "agents:\n  - { name: a, runtime: shell, replicas: 0 }\n  - { name: a, runtime: shell }\ndefault_agent: b\n";
    expect(problemsOf(() => parseConfig(text, options))).toHaveLength(3);
  });

  it("reports YAML syntax errors as file:line:col", () => {
    const problems = problemsOf(() => parseConfig("agents:\n  - name: api\n    name: again\n", options));
    expect(problems).toEqual(["swarm.yaml:3:5: Map keys must be unique"]);
    expect(problemsOf(() => parseConfig("agents: [\n", options))[0]).toMatch(/^swarm\.yaml:\d+:\d+: /);
  });

  it("labels problems with the basename of the file", () => {
    const problems = problemsOf(() => parseConfig("agents: []\n", { file: "/a/b/team.yaml", baseDir: "/a/b" }));
    expect(problems).toEqual(["team.yaml: agents: expected at least one agent"]);
  });
});

describe("agent programs", () => {
  it("reads runtime, model and args, and defaults to headless", () => {
    const text =
      "agents:\n  - { name: coder, runtime: claude, command: /opt/claude, model: ' sonnet ', args: [--permission-mode, acceptEdits, --max-turns, 5] }\n";
    expect(parseConfig(text, options).agents[0]).toMatchObject({
      runtime: "claude",
      command: "/opt/claude",
      mode: "headless",
      model: "sonnet",
      args: ["--permission-mode", "acceptEdits", "--max-turns", "5"],
    });
  });

  it.each(["codex", "gemini", "qwen", "aider"])("accepts the %s runtime", (runtime) => {
    expect(parseConfig(`agents:\n  - { name: a, runtime: ${runtime}, mode: headless }\n`, options).agents[0]?.runtime).toBe(runtime);
  });

  it("accepts claude's interactive mode, with auto_approve off unless set", () => {
    const [plain] = parseConfig("agents:\n  - { name: a, runtime: claude, mode: interactive }\n", options).agents;
    expect(plain).toMatchObject({ mode: "interactive" });
    expect(plain?.autoApprove).toBeUndefined();
    const [approving] = parseConfig("agents:\n  - { name: a, runtime: claude, mode: interactive, auto_approve: true }\n", options).agents;
    expect(approving?.autoApprove).toBe(true);
  });

  it("records every agent's panes unless it says record: false, which takes only true or false", () => {
    const [plain, unrecorded, recorded] = parseConfig(
      "agents:\n  - { name: a, runtime: shell }\n  - { name: b, runtime: shell, record: false }\n  - { name: c, runtime: shell, record: true }\n",
      options,
    ).agents;
    expect(plain?.record).toBeUndefined();
    expect(unrecorded?.record).toBe(false);
    expect(recorded?.record).toBeUndefined();
    expect(problemsOf(() => parseConfig("agents:\n  - { name: a, runtime: shell, record: off }\n", options))).toEqual([
      'swarm.yaml: agents.0.record: expected true or false, got "off"',
    ]);
  });

  it("takes auto_approve only from interactive claude agents, as true or false", () => {
    expect(problemsOf(() => parseConfig("agents:\n  - { name: a, runtime: claude, auto_approve: true }\n", options))).toEqual([
      "swarm.yaml: agents.0.auto_approve: only used by interactive Claude agents (runtime: claude, mode: interactive)",
    ]);
    expect(problemsOf(() => parseConfig("agents:\n  - { name: a, runtime: claude, mode: interactive, auto_approve: yes please }\n", options))).toEqual([
      'swarm.yaml: agents.0.auto_approve: expected true or false, got "yes please"',
    ]);
  });

  it("rejects interactive mode for programs that only run headless", () => {
    expect(problemsOf(() => parseConfig("agents:\n  - { name: a, runtime: codex, mode: interactive }\n", options))).toEqual([
      'swarm.yaml: agents.0.mode: the codex runtime runs headless only, got "interactive"',
    ]);
  });

  it("rejects command, model and args on a shell agent", () => {
    expect(problemsOf(() => parseConfig(agent("    command: zsh\n    model: x\n    args: [a]\n"), options))).toEqual([
      "swarm.yaml: agents.0.command: not used by the shell runtime (the task is the command)",
      "swarm.yaml: agents.0.model: not used by the shell runtime (the task is the command)",
      "swarm.yaml: agents.0.args: not used by the shell runtime (the task is the command)",
    ]);
  });

  it("gives each agent its own config folder under the home", () => {
    expect(agentConfigDir("/home/u/.claude-agent", "coder")).toBe("/home/u/.claude-agent/agents/coder/config");
  });
});

describe("configFromObject", () => {
  it("applies the same rules and normalization to a parsed object", () => {
    const config = configFromObject({ agents: [{ name: "api", runtime: "shell", env: { N: 1 } }] }, options);
    expect(config.agents[0]?.env).toEqual({ N: "1" });
    expect(problemsOf(() => configFromObject({ agents: [{ name: "api", runtime: "shell", replicas: 0 }] }, options))).toEqual([
      "swarm.yaml: agents.0.replicas: expected a positive integer, got 0",
    ]);
  });
});

describe("findConfigFile and loadConfig", () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-config-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const minimal = "agents:\n  - { name: api, runtime: shell, cwd: work }\n";

  it("returns an explicit path, resolved against cwd, even when it does not exist", () => {
    const cwd = tempDir();
    expect(findConfigFile({ explicit: "custom.yaml", cwd, home: tempDir() })).toBe(join(cwd, "custom.yaml"));
  });

  it("prefers swarm.yaml in cwd over the one in home", () => {
    const [cwd, home] = [tempDir(), tempDir()];
    writeFileSync(join(cwd, "swarm.yaml"), minimal);
    writeFileSync(join(home, "swarm.yaml"), minimal);
    expect(findConfigFile({ cwd, home })).toBe(join(cwd, "swarm.yaml"));
  });

  it("falls back to home, skipping a folder named swarm.yaml, and returns null when neither has one", () => {
    const [cwd, home] = [tempDir(), tempDir()];
    mkdirSync(join(cwd, "swarm.yaml"));
    expect(findConfigFile({ cwd, home })).toBeNull();
    writeFileSync(join(home, "swarm.yaml"), minimal);
    expect(findConfigFile({ cwd, home })).toBe(join(home, "swarm.yaml"));
  });

  it("loads with an absolute source and agent cwd resolved against the file's folder", () => {
    const [cwd, home] = [tempDir(), tempDir()];
    writeFileSync(join(home, "swarm.yaml"), minimal);
    const config = loadConfig({ cwd, home });
    expect(config.source).toBe(join(home, "swarm.yaml"));
    expect(config.agents[0]?.cwd).toBe(join(home, "work"));
  });

  it("throws UsageError for an explicit file that does not exist", () => {
    const cwd = tempDir();
    expect(() => loadConfig({ explicit: "gone.yaml", cwd, home: cwd })).toThrow(UsageError);
    expect(() => loadConfig({ explicit: "gone.yaml", cwd, home: cwd })).toThrow(`cannot read config file ${join(cwd, "gone.yaml")}: no such file`);
  });

  it("throws ConfigError with one problem and an init hint when no file is found", () => {
    const [cwd, home] = [tempDir(), tempDir()];
    const error = configErrorOf(() => loadConfig({ cwd, home }));
    expect(error.problems).toEqual([`no swarm.yaml found in ${cwd} or ${home}`]);
    expect(error.hint).toBe("Run `claude-agent init` to write one, or pass --config FILE.");
  });
});

describe("limits", () => {
  it("defaults to a 1 MiB task limit and takes `limits.task_bytes`", () => {
    expect(limitsOf(parseConfig(agent(""), options))).toEqual({ taskBytes: 1_048_576 });
    const config = parseConfig(`${agent("")}limits: { task_bytes: 4096 }\n`, options);
    expect(config.limits).toEqual({ taskBytes: 4096 });
    expect(limitsOf(config)).toEqual({ taskBytes: 4096 });
  });

  it("refuses a limit that is not a whole number of bytes from 1 to 64 MiB, with its path", () => {
    for (const value of ["0", "-1", "1.5", "big", String(64 * 1024 * 1024 + 1)]) {
      expect(problemsOf(() => parseConfig(`${agent("")}limits: { task_bytes: ${value} }\n`, options))[0]).toMatch(
        /^swarm\.yaml: limits\.task_bytes: expected a whole number of bytes from 1 to 67108864 \(64 MiB\), got /,
      );
    }
    expect(problemsOf(() => parseConfig(`${agent("")}limits: { tasks: 1 }\n`, options))).toEqual(["swarm.yaml: limits.tasks: unknown key"]);
  });
});

describe("a swarm.yaml that is not a config at all", () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-config-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("refuses a YAML alias bomb instead of expanding it", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(", ")}]`,
      ),
    ].join("\n");
    expect(problemsOf(() => parseConfig(`${bomb}\n`, options))).toEqual(["swarm.yaml: Excessive alias count indicates a resource exhaustion attack"]);
  });

  it.each([
    ["binary data", Buffer.from([0x61, 0x67, 0x00, 0x01, 0x02]), "binary data, not text (a NUL byte at byte 2)"],
    ["text that is not UTF-8", Buffer.from("agents: caf\xe9\n", "latin1"), "not UTF-8 text (an invalid byte 0xe9 at byte 11)"],
  ])("refuses %s with the file's path (exit 2)", (_, bytes, problem) => {
    const dir = tempDir();
    const file = join(dir, "swarm.yaml");
    writeFileSync(file, bytes);
    const load = (): unknown => loadConfig({ explicit: file, cwd: dir, home: dir });
    expect(load).toThrow(UsageError);
    expect(load).toThrow(`config file ${file}: ${problem}`);
  });

  it("refuses a folder and a file over 4 MiB without reading it", () => {
    const dir = tempDir();
    expect(() => loadConfig({ explicit: dir, cwd: dir, home: dir })).toThrow(`cannot read config file ${dir}: it is a folder, not a file`);
    const big = join(dir, "big.yaml");
    writeFileSync(big, "");
    truncateSync(big, 5 * 1024 * 1024);
    expect(() => loadConfig({ explicit: big, cwd: dir, home: dir })).toThrow(`config file ${big}: too large (5 MiB; the limit is 4 MiB)`);
  });
});

import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { parseConfig } from "./index.js";

const options = { file: "/project/swarm.yaml", baseDir: "/project" };
const qwen = (node: string): string => `agents:\n  - name: q\n    runtime: qwen\n    node: ${node}\n`;

function problems(text: string): readonly string[] {
  try {
    parseConfig(text, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("an agent's node: the Node its program runs with", () => {
  it("is absent unless given: the program uses the node on PATH", () => {
    expect(parseConfig("agents:\n  - { name: q, runtime: qwen }\n", options).agents[0]).not.toHaveProperty("node");
  });

  it("keeps a major version as digits, written as a number or a string", () => {
    expect(parseConfig(qwen("22"), options).agents[0]?.node).toBe("22");
    expect(parseConfig(qwen('"24"'), options).agents[0]?.node).toBe("24");
  });

  it("resolves a path against the file's folder, and ~/ against the user's home", () => {
    expect(parseConfig(qwen("tools/node22/bin/node"), options).agents[0]?.node).toBe("/project/tools/node22/bin/node");
    expect(parseConfig(qwen("/opt/node/bin/node"), options).agents[0]?.node).toBe("/opt/node/bin/node");
    expect(parseConfig(qwen("~/.nvm/versions/node/v22.1.0/bin/node"), options).agents[0]?.node).toBe(join(homedir(), ".nvm/versions/node/v22.1.0/bin/node"));
  });

  it("refuses an empty value, a fraction and a list, with the path of the field", () => {
    expect(problems(qwen('""'))).toEqual(['swarm.yaml: agents.0.node: expected a path to a node executable, or a major version such as 22, got ""']);
    expect(problems(qwen("22.5"))).toEqual(["swarm.yaml: agents.0.node: expected a path to a node executable, or a major version such as 22, got 22.5"]);
    expect(problems(qwen("[22]"))).toEqual(["swarm.yaml: agents.0.node: expected a path to a node executable, or a major version such as 22, got [22]"]);
  });

  it("is refused on shell and langchain agents, which run no program of their own", () => {
    expect(problems("agents:\n  - { name: s, runtime: shell, node: 22 }\n")).toEqual([
      "swarm.yaml: agents.0.node: not used by the shell runtime (the task is the command)",
    ]);
    expect(problems("agents:\n  - { name: l, runtime: langchain, node: 22, llm: { base_url: 'http://127.0.0.1:1/v1', model: m } }\n")).toEqual([
      "swarm.yaml: agents.0.node: not used by the langchain runtime (it runs on claude-agent's own Node)",
    ]);
  });
});

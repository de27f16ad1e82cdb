import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { isSandboxed, parseConfig } from "./index.js";

const base = mkdtempSync(join(tmpdir(), "ca-sandbox-config-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const options = { file: join(base, "swarm.yaml"), baseDir: base };
const load = (sandbox: string) => parseConfig(`agents:\n  - name: api\n    runtime: shell\n    sandbox: ${sandbox}\n`, options).agents[0]!;

function problems(sandbox: string): readonly string[] {
  try {
    load(sandbox);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("an agent's `sandbox`", () => {
  it("is absent by default: the agent runs unsandboxed", () => {
    const agent = parseConfig("agents:\n  - name: api\n    runtime: shell\n", options).agents[0]!;
    expect(agent.sandbox).toBeUndefined();
    expect(isSandboxed(agent)).toBe(false);
  });

  it("reads `bwrap` (network on, nothing else writable), `none`, and a mapping, with paths resolved against the file", () => {
    expect(load("bwrap").sandbox).toEqual({ kind: "bwrap", network: true, writable: [] });
    expect(load("none").sandbox).toEqual({ kind: "none" });
    expect(load(`{ network: false, writable: [".", "${base}"] }`).sandbox).toEqual({ kind: "bwrap", network: false, writable: [base] });
    expect(isSandboxed(load("{}"))).toBe(true);
  });

  it("refuses other values, unknown keys, missing and root writable paths, each with its path", () => {
    expect(problems("docker")[0]).toBe(
      'swarm.yaml: agents.0.sandbox: expected "bwrap", "none", or a mapping { network: true|false, writable: [paths] }, got "docker"',
    );
    expect(problems("{ netwrok: false }")).toEqual(["swarm.yaml: agents.0.sandbox.netwrok: unknown key"]);
    expect(problems("{ writable: [missing-folder] }")).toEqual([
      `swarm.yaml: agents.0.sandbox.writable.0: ${join(base, "missing-folder")} does not exist (a sandbox can only make existing paths writable)`,
    ]);
    expect(problems('{ writable: ["/"] }')).toEqual([
      'swarm.yaml: agents.0.sandbox.writable.0: "/" would make the whole filesystem writable; name the folders the agent needs',
    ]);
  });
});

describe("the swarm.yaml `init` writes", () => {
  it("runs every agent, and every commented program example, in a bwrap sandbox", async () => {
    const { configTemplate } = await import("./index.js");
    const text = configTemplate({ programs: [{ runtime: "claude" }, { runtime: "qwen" }] });
    const config = parseConfig(text, options);
    expect(config.agents.length).toBeGreaterThan(0);
    for (const agent of config.agents) expect(agent.sandbox, agent.name).toEqual({ kind: "bwrap", network: true, writable: [] });
    expect(text.match(/^ {2}# {3}sandbox: bwrap$/gm)).toHaveLength(2);
  });
});

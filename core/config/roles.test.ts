import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { parseConfig } from "./load.js";
import { MAX_ROLE_BYTES, resolveRole, shippedRoles } from "./roles.js";

const dir = mkdtempSync(join(tmpdir(), "ca-roles-"));
const load = (role: string) =>
  parseConfig(`agents:\n  - name: a\n    runtime: langchain\n    llm: { base_url: "http://127.0.0.1:1/v1", model: m }\n    role: ${role}\n`, {
    file: join(dir, "swarm.yaml"),
    baseDir: dir,
  });
const problems = (role: string): string[] => {
  try {
    load(role);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
};

describe("role: in swarm.yaml", () => {
  it("ships the eleven roles of the library, each stating scope, tools to prefer, what to refuse and how to report", () => {
    const names = shippedRoles();
    expect(names).toEqual([
      "ansible",
      "backend-api",
      "database",
      "deployment",
      "docker",
      "frontend-ui",
      "github",
      "kubernetes",
      "security-reviewer",
      "terraform",
      "testing",
    ]);
    for (const name of names) {
      const resolved = resolveRole(name, dir);
      if (!("role" in resolved)) throw new Error(resolved.problem);
      for (const heading of ["## Scope", "## Tools to prefer", "## Refuse", "## How to report"]) expect(resolved.role.text, name).toContain(heading);
    }
  });

  it("a role name loads the shipped file and says where it came from", () => {
    const role = load("terraform").agents[0]?.role;
    expect(role?.source).toBe("shipped: roles/terraform.md");
    expect(role?.text).toMatch(/^# Role: terraform/);
    expect(role?.text).toContain("terraform destroy");
  });

  it("a path is read relative to swarm.yaml; inline text is kept as written", () => {
    writeFileSync(join(dir, "reviewer.md"), "You review SQL migrations only.\n");
    expect(load("./reviewer.md").agents[0]?.role).toEqual({ source: join(dir, "reviewer.md"), text: "You review SQL migrations only." });
    expect(load("|\n      You write release notes.\n      Nothing else.").agents[0]?.role).toEqual({
      source: "inline",
      text: "You write release notes.\nNothing else.",
    });
    expect(load("You answer in French.").agents[0]?.role?.source).toBe("inline");
  });

  it("an unknown role name, a missing file, an empty or oversized role are refused with the field's path", () => {
    expect(problems("nope")).toEqual([
      expect.stringMatching(
        /^swarm\.yaml: agents\.0\.role: unknown role "nope" \(shipped roles are ansible, backend-api, .*security-reviewer, terraform, testing\)/,
      ),
    ]);
    expect(problems("./missing.md")).toEqual([`swarm.yaml: agents.0.role: cannot read the role file ${join(dir, "missing.md")}: no such file`]);
    expect(problems('""')).toEqual(["swarm.yaml: agents.0.role: expected a role name, a file path or the role's text, got an empty string"]);
    expect(problems("[1, 2]")).toEqual([expect.stringMatching(/^swarm\.yaml: agents\.0\.role: expected a role name, a file path or the role's text/)]);
    writeFileSync(join(dir, "huge.md"), "x".repeat(MAX_ROLE_BYTES + 1));
    expect(problems("./huge.md")).toEqual([`swarm.yaml: agents.0.role: ${join(dir, "huge.md")} is larger than ${MAX_ROLE_BYTES} bytes`]);
    expect(problems('"a\\0b c"')).toEqual(["swarm.yaml: agents.0.role: the role's text contains a NUL byte"]);
  });
});

describe("role: next to the program's own system-prompt flags", () => {
  it("is refused when args append to Claude Code's or Qwen's system prompt too", () => {
    const yaml = (runtime: string, arg: string) => `agents:\n  - name: a\n    runtime: ${runtime}\n    args: ["${arg}", "x"]\n    role: testing\n`;
    const problemsOf = (text: string): string[] => {
      try {
        parseConfig(text, { file: join(dir, "swarm.yaml"), baseDir: dir });
        return [];
      } catch (error) {
        if (error instanceof ConfigError) return [...error.problems];
        throw error;
      }
    };
    expect(problemsOf(yaml("claude", "--append-system-prompt-file"))).toEqual([
      "swarm.yaml: agents.0.args: --append-system-prompt-file appends to the system prompt, and so does role:; give the text in role: and remove the flag",
    ]);
    expect(problemsOf(yaml("qwen", "--append-system-prompt=be brief"))).toHaveLength(1);
    expect(problemsOf(yaml("codex", "--append-system-prompt"))).toEqual([]);
  });
});

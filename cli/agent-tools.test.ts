import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configTemplate, parseConfig } from "../core/index.js";
import { agentToolReports } from "./agent-tools.js";

const dir = mkdtempSync(join(tmpdir(), "ca-agent-tools-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "kubectl"), "#!/bin/sh\n");
chmodSync(join(dir, "kubectl"), 0o755);

describe("doctor's tools per agent", () => {
  it("lists each devops agent's tools, found or with how to get them", () => {
    const config = parseConfig(configTemplate({ template: "devops", runtime: "shell" }), { file: join(dir, "swarm.yaml"), baseDir: dir });
    const reports = Object.fromEntries(agentToolReports(config, { PATH: dir }).map((r) => [r.agent, r]));
    expect(reports.kubernetes).toMatchObject({ ok: false, detail: `role kubernetes: kubectl (${join(dir, "kubectl")}), helm: not installed` });
    expect(reports.kubernetes!.fixes).toEqual(["helm: https://helm.sh/docs/intro/install/"]);
    expect(reports.ansible!.fixes).toEqual(["ansible-playbook: sudo apt-get install -y ansible-core"]);
    expect(Object.keys(reports)).toEqual(["docker", "kubernetes", "terraform", "github", "ansible"]);
  });

  it("says whether a program agent's program is installed, and how to install it", () => {
    const yaml = `agents:\n  - { name: a, runtime: codex, command: ${join(dir, "no-codex")}, role: testing }\n  - { name: b, runtime: shell }\n`;
    const reports = agentToolReports(parseConfig(yaml, { file: join(dir, "swarm.yaml"), baseDir: dir }), { PATH: dir });
    expect(reports).toEqual([
      { agent: "a", ok: false, detail: `role testing: ${join(dir, "no-codex")}: not installed`, fixes: ["check `command` of agent a"] },
    ]);
  });
});

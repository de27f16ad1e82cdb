/**
 * workflows/examples/provision-infra.yaml end to end with the real Claude Code (the
 * pinned devDependency) as the `ansible` and `terraform` agents, with their shipped
 * roles, against the scripted Anthropic server on loopback playing the model
 * (test/fixtures/llm/provision-model.ts), a shell agent `ops` running real Ansible
 * (ansible-core, installed here when missing) against a local target confined to a
 * throwaway root, and a person answering through `claude-agent answer`. The program
 * agents run with the command policy docs/PROVISIONING.md gives them.
 *
 * The model slips once: its first spec has the ports as strings. The schema refuses
 * it, the workflow's follow-up prompt (in the same Claude Code conversation) quotes the
 * validator's errors, and the corrected spec is what the generator gets.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeLine, programBin } from "../agents/programs.js";
import { textsIn, toolCallsOf } from "../agents/support.js";
import { type AnthropicServer, startAnthropicServer } from "../fixtures/llm/anthropic.js";
import { type ProvisionModel, provisionModel } from "../fixtures/llm/provision-model.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { ensureAnsible, finished, freePort, KIT, openItem, removeRoot, terraformInstalled } from "./provision-support.js";
import { cli, expectExit, json } from "./support.js";

const CLAUDE = programBin("claude");
const WORKFLOW = resolve(import.meta.dirname, "../../workflows/examples/provision-infra.yaml");
const STEP_MS = 120_000;
/**
 * The program agents' command policy from docs/PROVISIONING.md: what changes the target
 * runs on the shell agent `ops`, never as a model's tool call.
 */
const PROGRAM_DENY = ["\\bansible(-playbook)?\\s", "\\bterraform\\b.*\\s(apply|destroy|import)\\b"];

function claudeAgent(name: string, url: string, cwd: string): string {
  return `
  - name: ${name}
    runtime: claude
    role: ${name}
    command: ${CLAUDE}${nodeLine(CLAUDE)}
    cwd: ${cwd}
    args: [--permission-mode, acceptEdits, --allowedTools, "Bash,Read,Write", --add-dir, ${KIT}]
    timeout: 120
    policy:
      deny: ${JSON.stringify(PROGRAM_DENY)}
    env:
      ANTHROPIC_API_KEY: sk-ant-test-0000000000000000000000
      ANTHROPIC_BASE_URL: ${url}
      DISABLE_AUTOUPDATER: 1
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: 1
`;
}

describe("provision-infra with the real Claude Code as the ansible and terraform agents", () => {
  let llm: AnthropicServer;
  let model: ProvisionModel;
  let swarm: TestSwarm;
  let work: string;
  const roots: string[] = [];

  beforeAll(async () => {
    ensureAnsible();
    work = mkdtempSync(join(tmpdir(), "ca-prov-claude-"));
    model = provisionModel({ cwd: work, firstSpecWrong: true, appliesEarly: true });
    llm = await startAnthropicServer({ script: model.script });
    swarm = await startTestSwarm(
      [
        "agents:",
        claudeAgent("ansible", llm.url, work),
        claudeAgent("terraform", llm.url, work),
        `  - { name: ops, runtime: shell, cwd: ${work}, timeout: 300 }\n`,
        "inbox: { escalate_after: 1h }\n",
      ].join(""),
    );
  }, 900_000);

  afterAll(async () => {
    // The service the run left running is stopped by its pid file, under the run's root only.
    for (const root of roots) removeRoot(root);
    await swarm?.destroy();
    await llm?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(
    "writes a spec that passes the schema after one follow-up, generates, dry-runs, and after the approval applies and verifies",
    async () => {
      const root = mkdtempSync(join(tmpdir(), "ca-root-"));
      roots.push(root);
      const port = await freePort();
      const started = await cli(swarm.home, ["workflow", "run", "--file", WORKFLOW, "--params", `kit=${KIT}`]);
      expectExit(started, 0);
      const id = started.stdout.trim();

      // The person answers the requirements through the CLI.
      const input = await openItem(swarm.home, id, "input", STEP_MS);
      const answered = await cli(swarm.home, [
        "answer",
        input.id,
        "--field",
        `root=${root}`,
        "--field",
        `port=${port}`,
        "--field",
        "users=deploy,ops",
        "--field",
        "message=Hello {{ lookup('pipe','id') }} & <you>",
      ]);
      expectExit(answered, 0);

      // The dry run waits for the person: nothing is applied before the approval.
      const approval = await openItem(swarm.home, id, "approval", 3 * STEP_MS);
      expect(approval.text).toContain(`Apply "site" to site-1 (root ${root}, port ${port})?`);
      expect(approval.text).toContain("TASK [files: content and mode]");
      expect(approval.text).toContain("+<p>Hello {{ lookup('pipe','id') }} &amp; &lt;you&gt;</p>");
      if (terraformInstalled()) expect(approval.text).toContain("Terraform: terraform validate: Success! The configuration is valid.");
      else {
        console.log("terraform is not installed here: the terraform agent reports that and validates nothing");
        expect(approval.text).toContain("Terraform: terraform is not installed");
      }
      expect(existsSync(join(root, "srv/www/index.html"))).toBe(false);
      expectExit(await cli(swarm.home, ["answer", approval.id, "approve"]), 0);

      const state = await finished(swarm.home, id, 4 * STEP_MS);
      expect(state.status, state.reason ?? "").toBe("completed");
      for (const step of ["spec", "playbook", "terraform", "syntax", "check", "apply", "verify"]) expect(state.steps[step]?.status, step).toBe("completed");

      // The spec: the first answer failed the schema; the follow-up quoted the errors; the fixed one passed.
      expect(model.seen).toEqual(expect.arrayContaining(["spec", "fix", "playbook", "terraform"]));
      expect(model.fixPrompts).toHaveLength(1);
      expect(model.fixPrompts[0]).toContain("- /services/0/port: must be integer");
      expect(model.fixPrompts[0]).toContain("- /ports/0/port: must be integer");
      expect(state.steps.spec).toMatchObject({ fixes: 1, schemaErrors: null });
      expect(state.steps.spec?.json).toMatchObject({
        name: "site",
        hosts: [{ name: "site-1", connection: "local", root }],
        services: [{ name: "site", kind: "static-http", port }],
        ports: [{ port, protocol: "tcp" }],
      });

      // Claude Code ran the tools: the schema read, then the folder, the spec file, the generator and the playbook read.
      const specCalls = await toolCallsOf(swarm, state.steps.spec!.taskId!);
      expect(specCalls.map((c) => c.tool)).toContain("Read");
      const playbookCalls = await toolCallsOf(swarm, state.steps.playbook!.taskId!);
      expect(playbookCalls.map((c) => c.tool)).toEqual(["Bash", "Write", "Bash", "Read", "Bash"]);
      // Its own try at ansible-playbook was refused by the agent's policy before it ran.
      expect(model.toolResults.get("playbook")?.at(-1)).toMatch(/refused by policy rule deny/);
      expect(state.steps.playbook?.output).toContain("provision-out/playbook.yml\nprovision-out/inventory.yml\nprovision-out/terraform/main.tf.json");
      expect(state.steps.playbook?.output).toContain("with verify and rollback tasks");
      expect(JSON.parse(readFileSync(join(work, "provision-out/spec.json"), "utf8"))).toEqual(state.steps.spec?.json);
      expect(readdirSync(join(work, "provision-out")).sort()).toEqual(["inventory.yml", "playbook.yml", "spec.json", "terraform"]);

      // Each program agent got its shipped role in its system prompt.
      const systems = llm.agentRequests().map((r) => textsIn((r.body as { system?: unknown }).system).join("\n"));
      expect(systems.some((s) => s.includes("# Role: ansible"))).toBe(true);
      expect(systems.some((s) => s.includes("# Role: terraform"))).toBe(true);

      // Applied and verified: the service answers on its port with the answer's text as data, the files are under the root.
      const page = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
      expect(page).toContain("Hello {{ lookup('pipe','id') }} &amp; &lt;you&gt;");
      expect(readFileSync(join(root, "etc/passwd"), "utf8")).toBe("deploy:x:2000:2000::/home/deploy:/bin/sh\nops:x:2001:2001::/home/ops:/bin/sh\n");
      expect(readFileSync(join(root, "etc/site/site.conf"), "utf8")).toBe(`name=site\nport=${port}\nsize=small\n`);
      expect(state.steps.verify?.output).toMatch(/failed=0/);
      expect(json(await cli(swarm.home, ["inbox", "--json"])).items).toEqual([]);
    },
    8 * STEP_MS,
  );
});

/**
 * The provisioning workflow end to end with real Ansible (ansible-core, installed
 * here when missing) against local targets confined to throwaway root
 * directories, shell agents standing in for the generating steps: requirements
 * answered through `claude-agent answer`, the spec checked by its output_schema,
 * playbook/inventory/Terraform generated, syntax check, dry run shown in the
 * approval, apply, verify; and a failing verify that rolls the apply back.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InboxItem } from "../../core/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { ensureAnsible, finished as ended, freePort, KIT, openItem as open, removeRoot, terraformInstalled } from "./provision-support.js";
import { cli, expectExit, json } from "./support.js";

const WORKFLOW = resolve(import.meta.dirname, "../../workflows/examples/provision-infra.shell.yaml");
const STEP_MS = 120_000;

describe("provision-infra (deterministic) with real Ansible", () => {
  let swarm: TestSwarm;
  let work: string;
  const roots: string[] = [];

  beforeAll(async () => {
    ensureAnsible();
    work = mkdtempSync(join(tmpdir(), "ca-prov-"));
    swarm = await startTestSwarm(`
agents:
  - { name: deployment, runtime: shell, cwd: ${work}, timeout: 300 }
  - { name: testing, runtime: shell, cwd: ${work}, timeout: 300 }
inbox: { escalate_after: 1h }
`);
  }, 900_000);

  afterAll(async () => {
    // A service the successful run left running is stopped by its pid file, under the run's root only.
    for (const root of roots) removeRoot(root);
    await swarm?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function openItem(executionId: string, kind: string): Promise<InboxItem> {
    return open(swarm.home, executionId, kind, STEP_MS);
  }

  async function start(out: string): Promise<string> {
    const started = await cli(swarm.home, ["workflow", "run", "--file", WORKFLOW, "--params", `kit=${KIT}`, `out=${out}`]);
    expectExit(started, 0);
    return started.stdout.trim();
  }

  function finished(id: string) {
    return ended(swarm.home, id, 4 * STEP_MS);
  }

  it(
    "gathers requirements through the inbox, applies a validated spec with a reviewed dry run, and the service answers",
    async () => {
      const root = mkdtempSync(join(tmpdir(), "ca-root-"));
      roots.push(root);
      const port = await freePort();
      const id = await start("out-ok");

      const input = await openItem(id, "input");
      expect(input.questions.map((q) => q.name)).toEqual(["app", "root", "size", "port", "users", "message", "health"]);
      // A bad answer is refused with every problem, and the item stays open.
      const bad = await cli(swarm.home, ["answer", input.id, "--field", "port=80a", "--field", "size=huge"]);
      expectExit(bad, 2);
      expect(bad.stderr).toContain('size: expected one of small, medium, large, got "huge"');
      expect(bad.stderr).toContain('port: "80a" does not match [0-9]{4,5}');
      expect(bad.stderr).toContain("root: an answer is required");
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
      expect(answered.stdout).toContain(`answered ${input.id} (provision-infra-shell/requirements): answers: app, root, size, port, users, message, health`);

      const approval = await openItem(id, "approval");
      expect(approval.text).toContain(`Apply "site" to site-1 (root ${root}, port ${port})?`);
      expect(approval.text).toContain("TASK [files: content and mode]");
      // The dry run's diff of the page, as the person approving reads it.
      expect(approval.text).toContain("+<p>Hello {{ lookup('pipe','id') }} &amp; &lt;you&gt;</p>");
      if (terraformInstalled()) expect(approval.text).toContain("Terraform: Success! The configuration is valid.");
      else {
        console.log("terraform is not installed here: the Terraform backend is generated but `terraform validate` is skipped");
        expect(approval.text).toContain("Terraform: terraform is not installed");
      }
      // Nothing was applied before the approval: the dry run changed nothing on the target.
      expect(existsSync(join(root, "srv/www/index.html"))).toBe(false);
      expectExit(await cli(swarm.home, ["answer", approval.id, "approve"]), 0);

      const state = await finished(id);
      expect(state.status, state.reason ?? "").toBe("completed");
      expect(state.steps.spec?.json).toMatchObject({ name: "site", hosts: [{ name: "site-1", connection: "local", root }], services: [{ port }] });
      const page = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
      // The answer is data all the way: Ansible did not evaluate it as a template, the page escapes it.
      expect(page).toContain("Hello {{ lookup('pipe','id') }} &amp; &lt;you&gt;");
      expect(readFileSync(join(root, "etc/passwd"), "utf8")).toBe("deploy:x:2000:2000::/home/deploy:/bin/sh\nops:x:2001:2001::/home/ops:/bin/sh\n");
      expect(readFileSync(join(root, "etc/site/site.conf"), "utf8")).toBe(`name=site\nport=${port}\nsize=small\n`);
      expect(readdirSync(join(work, "out-ok")).sort()).toEqual(["inventory.yml", "playbook.yml", "spec.json", "terraform"]);
      const events = (await cli(swarm.home, ["logs", "--json", "-n", "500"])).stdout;
      for (const type of ["inbox.opened", "inbox.answered"]) expect(events).toContain(`"type":"${type}"`);
      expect(json(await cli(swarm.home, ["inbox", "--json"])).items).toEqual([]);
    },
    8 * STEP_MS,
  );

  it(
    "rolls the apply back with the playbook's undo tasks when verify fails",
    async () => {
      const root = mkdtempSync(join(tmpdir(), "ca-root-"));
      roots.push(root);
      const port = await freePort();
      const id = await start("out-broken");
      const input = await openItem(id, "input");
      // The service must answer on a path it does not serve: verify fails after the apply.
      expectExit(
        await cli(swarm.home, [
          "answer",
          input.id,
          "--field",
          "app=broken",
          "--field",
          `root=${root}`,
          "--field",
          `port=${port}`,
          "--field",
          "health=/missing.html",
        ]),
        0,
      );
      const approval = await openItem(id, "approval");
      expectExit(await cli(swarm.home, ["answer", approval.id, "approve"]), 0);
      const state = await finished(id);
      expect(state.status).toBe("failed");
      expect(state.reason).toMatch(/^step "verify" failed: task failed \(exit 2\); rolled back apply$/);
      expect(state.steps.verify?.output).toContain("Status code was 404");
      // Undone: the service is stopped, its files and users are gone.
      await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
      expect(existsSync(join(root, "srv/www/index.html"))).toBe(false);
      expect(existsSync(join(root, "etc/broken/site.conf"))).toBe(false);
      expect(existsSync(join(root, "run/broken.pid"))).toBe(false);
      expect(readFileSync(join(root, "etc/passwd"), "utf8")).toBe("");
    },
    8 * STEP_MS,
  );
});

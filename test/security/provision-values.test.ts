/**
 * Security: values of an infrastructure spec (written by an agent from a person's
 * answers, so untrusted) never become code in the generated Ansible. A Jinja
 * expression in a spec value reaches the target as text: Ansible does not evaluate
 * it (generate.mjs writes every spec value as a YAML `!unsafe` string), and a shell
 * metacharacter in a value used by the one shell task stays data (values go through
 * `environment:`). Run for real: generate.mjs, then ansible-playbook on a throwaway root.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aptInstall, INSTALL_TIMEOUT_MS, onPath } from "../helpers/debian.js";

const KIT = resolve(import.meta.dirname, "../../workflows/examples/provision");

describe("spec values in the generated playbook", () => {
  let dir: string;
  beforeAll(() => {
    aptInstall(["ansible-core"], () => onPath("ansible-playbook"));
    dir = mkdtempSync(join(tmpdir(), "ca-sec-prov-"));
  }, INSTALL_TIMEOUT_MS);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("Jinja expressions and shell substitutions in file contents are written as text and run nothing", () => {
    const root = join(dir, "root");
    const marker = join(dir, "pwned");
    const attack = `{{ lookup('pipe', 'touch ${marker}') }}`;
    const spec = {
      name: "site",
      hosts: [{ name: "site-1", connection: "local", root }],
      packages: [],
      services: [],
      users: [{ name: "deploy" }],
      files: [
        { path: "srv/www/index.html", content: attack, mode: "0644" },
        { path: "etc/site.conf", content: `x={% for i in range(3) %}{{ lookup('env', 'HOME') }}{% endfor %}\n$(touch ${marker})\n` },
      ],
      ports: [],
    };
    writeFileSync(join(dir, "spec.json"), JSON.stringify(spec));
    execFileSync(process.execPath, [join(KIT, "generate.mjs"), join(dir, "spec.json"), join(dir, "out")]);
    const run = spawnSync("ansible-playbook", ["-i", join(dir, "out/inventory.yml"), join(dir, "out/playbook.yml")], {
      encoding: "utf8",
      env: { ...process.env, ANSIBLE_NOCOLOR: "1", ANSIBLE_LOCALHOST_WARNING: "False" },
      timeout: 300_000,
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(join(root, "srv/www/index.html"), "utf8")).toBe(attack);
    expect(readFileSync(join(root, "etc/site.conf"), "utf8")).toBe(spec.files[1]!.content);
  });
});

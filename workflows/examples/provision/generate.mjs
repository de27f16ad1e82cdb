#!/usr/bin/env node
// Deterministic generation of the Ansible playbook and inventory, and of a Terraform
// configuration (the second backend), from an infrastructure spec (spec.schema.json):
//   node generate.mjs SPEC.json OUT_DIR
// writes OUT_DIR/playbook.yml, OUT_DIR/inventory.yml and OUT_DIR/terraform/main.tf.json.
//
// Every value that comes from the spec is written as a YAML `!unsafe` string: Ansible
// never evaluates it as a Jinja template (a spec value like "{{ lookup('pipe', 'id') }}"
// stays text), and it reaches shell tasks only through `environment:`, never as script
// text. The same spec always gives the same files.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [specFile, out] = process.argv.slice(2);
if (!specFile || !out) {
  process.stderr.write("usage: node generate.mjs SPEC.json OUT_DIR\n");
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specFile, "utf8"));

/** A spec value for Ansible: data, never a template. JSON strings are valid YAML double-quoted scalars. */
const unsafe = (value) => `!unsafe ${JSON.stringify(String(value))}`;
const plain = (value) => JSON.stringify(value);

/** Minimal YAML: objects and arrays in block style; leaves are already-rendered scalars. */
function yaml(value, indent = "") {
  if (Array.isArray(value)) {
    if (value.length === 0) return " []";
    return value.map((v) => `\n${indent}- ${yaml(v, `${indent}  `).replace(/^\n\s*/, "")}`).join("");
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 0) return " {}";
    return keys.map((k) => `\n${indent}${k}:${typeof value[k] === "object" && value[k] !== null ? yaml(value[k], `${indent}  `) : ` ${value[k]}`}`).join("");
  }
  return ` ${value}`;
}

const services = spec.services.map((s) => ({
  name: unsafe(s.name),
  port: unsafe(s.port),
  directory: unsafe(s.directory),
  health: unsafe(s.health ?? "/"),
}));
const files = spec.files.map((f) => ({ path: unsafe(f.path), content: unsafe(f.content), mode: unsafe(f.mode ?? "0644") }));
const users = spec.users.map((u) => ({ name: unsafe(u.name), shell: unsafe(u.shell ?? "/bin/sh") }));
const packages = spec.packages.map(unsafe);

const START = 'setsid python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$DIR" >"$LOG" 2>&1 </dev/null & echo $! >"$PIDFILE"';
const STOP = 'if [ -f "$PIDFILE" ]; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; rm -f "$PIDFILE"; fi';
const svcEnv = {
  PORT: plain("{{ item.port }}"),
  DIR: plain("{{ ca_root }}/{{ item.directory }}"),
  LOG: plain("{{ ca_root }}/var/log/{{ item.name }}.log"),
  PIDFILE: plain("{{ ca_root }}/run/{{ item.name }}.pid"),
};
const never = (tag) => ({ tags: `[${tag}, never]` });

const tasks = [
  { name: plain("packages: read what is installed"), "ansible.builtin.package_facts": { manager: "auto" } },
  {
    name: plain("packages: required ones are installed"),
    "ansible.builtin.assert": { that: plain("item in ansible_facts.packages"), fail_msg: plain("package {{ item }} is not installed") },
    loop: plain("{{ ca_packages }}"),
  },
  {
    name: plain("layout: the root's folders"),
    "ansible.builtin.file": { path: plain("{{ ca_root }}/{{ item }}"), state: "directory", mode: plain("0755") },
    loop: "[etc, run, var/log, home]",
  },
  {
    name: plain("users: one line each in the root's etc/passwd"),
    "ansible.builtin.lineinfile": {
      path: plain("{{ ca_root }}/etc/passwd"),
      regexp: plain("^{{ item.name }}:"),
      line: plain("{{ item.name }}:x:{{ 2000 + idx }}:{{ 2000 + idx }}::/home/{{ item.name }}:{{ item.shell }}"),
      create: true,
      mode: plain("0644"),
    },
    loop: plain("{{ ca_users }}"),
    loop_control: { index_var: "idx" },
  },
  {
    name: plain("files: their folders"),
    "ansible.builtin.file": { path: plain("{{ (ca_root + '/' + item.path) | dirname }}"), state: "directory", mode: plain("0755") },
    loop: plain("{{ ca_files }}"),
  },
  {
    name: plain("files: content and mode"),
    "ansible.builtin.copy": { dest: plain("{{ ca_root }}/{{ item.path }}"), content: plain("{{ item.content }}"), mode: plain("{{ item.mode }}") },
    loop: plain("{{ ca_files }}"),
  },
  {
    name: plain("services: their folders"),
    "ansible.builtin.file": { path: plain("{{ ca_root }}/{{ item.directory }}"), state: "directory", mode: plain("0755") },
    loop: plain("{{ ca_services }}"),
  },
  {
    name: plain("services: started"),
    "ansible.builtin.shell": plain(START),
    args: { creates: plain("{{ ca_root }}/run/{{ item.name }}.pid") },
    environment: svcEnv,
    loop: plain("{{ ca_services }}"),
  },
  {
    name: plain("services: listening"),
    "ansible.builtin.wait_for": { host: "127.0.0.1", port: plain("{{ item.port }}"), timeout: 15 },
    loop: plain("{{ ca_services }}"),
    when: "not ansible_check_mode",
  },
  {
    name: plain("verify: services answer on their health path"),
    "ansible.builtin.uri": { url: plain("http://127.0.0.1:{{ item.port }}{{ item.health }}"), status_code: 200 },
    loop: plain("{{ ca_services }}"),
    ...never("verify"),
  },
  {
    name: plain("verify: files are present"),
    "ansible.builtin.stat": { path: plain("{{ ca_root }}/{{ item.path }}") },
    register: "ca_stat",
    loop: plain("{{ ca_files }}"),
    ...never("verify"),
  },
  {
    name: plain("verify: every file exists"),
    "ansible.builtin.assert": { that: plain("item.stat.exists"), fail_msg: plain("missing: {{ item.item.path }}") },
    loop: plain("{{ ca_stat.results }}"),
    ...never("verify"),
  },
  {
    name: plain("rollback: stop services"),
    "ansible.builtin.shell": plain(STOP),
    environment: { PIDFILE: svcEnv.PIDFILE },
    loop: plain("{{ ca_services }}"),
    ...never("rollback"),
  },
  {
    name: plain("rollback: remove files"),
    "ansible.builtin.file": { path: plain("{{ ca_root }}/{{ item.path }}"), state: "absent" },
    loop: plain("{{ ca_files }}"),
    ...never("rollback"),
  },
  {
    name: plain("rollback: remove users"),
    "ansible.builtin.lineinfile": { path: plain("{{ ca_root }}/etc/passwd"), regexp: plain("^{{ item.name }}:"), state: "absent" },
    loop: plain("{{ ca_users }}"),
    ...never("rollback"),
  },
];

const play = [
  {
    name: plain(`provision ${spec.name}`),
    hosts: "provision",
    gather_facts: false,
    vars: { ca_packages: packages, ca_users: users, ca_files: files, ca_services: services },
    tasks,
  },
];

const inventoryHosts = Object.fromEntries(
  spec.hosts.map((h) => [
    JSON.stringify(h.name),
    {
      ansible_connection: "local",
      ansible_python_interpreter: "/usr/bin/python3",
      ca_root: unsafe(h.root),
    },
  ]),
);
const inventory = { all: { children: { provision: { hosts: inventoryHosts } } } };

const header = (what) => `# ${what} generated by workflows/examples/provision/generate.mjs from the spec "${spec.name}"; do not edit: change the spec.\n`;
mkdirSync(join(out, "terraform"), { recursive: true });
writeFileSync(join(out, "playbook.yml"), `${header("Ansible playbook")}# tags: (none) apply · verify · rollback\n---${yaml(play)}\n`);
writeFileSync(join(out, "inventory.yml"), `${header("Ansible inventory")}---${yaml(inventory)}\n`);

// Terraform: the same hosts as resources of Terraform's built-in provider (no download needed), with
// the spec as their input, so `terraform validate` and `plan` work offline; a cloud provider's
// resources would take their place for real machines.
const tf = {
  terraform: { required_version: ">= 1.4" },
  resource: {
    terraform_data: Object.fromEntries(
      spec.hosts.map((h) => [
        h.name,
        {
          input: {
            root: h.root,
            size: h.size ?? "small",
            packages: spec.packages,
            services: spec.services,
            users: spec.users.map((u) => u.name),
            ports: spec.ports,
          },
        },
      ]),
    ),
  },
  output: { hosts: { value: spec.hosts.map((h) => h.name) } },
};
writeFileSync(join(out, "terraform", "main.tf.json"), `${JSON.stringify(tf, null, 2)}\n`);
process.stdout.write(`${join(out, "playbook.yml")}\n${join(out, "inventory.yml")}\n${join(out, "terraform", "main.tf.json")}\n`);

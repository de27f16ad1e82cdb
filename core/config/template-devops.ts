/**
 * The DevOps specialists of `init --template devops`: a shipped role, routes,
 * a gate each (a check that does nothing when the agent's tree has none of
 * its files) and one command policy that refuses the destructive operations
 * of their tools. The policy is applied to every command a shell or
 * LangChain agent runs and to every gate; for Claude Code and the other
 * programs it binds the gate and is given to the program where it has a hook
 * for it (docs/ROLES.md says which).
 */

export interface DevopsSpecialist {
  readonly name: "docker" | "kubernetes" | "terraform" | "github" | "ansible";
  readonly about: string;
  readonly routes: readonly string[];
  /** null: the git check when the folder is a repository, else none. */
  readonly gate: string | null;
}

export const DEVOPS: readonly DevopsSpecialist[] = [
  {
    name: "docker",
    about: "Dockerfiles and compose files",
    routes: ["docker", "dockerfile", "container", "image", "compose"],
    gate: 'for f in compose.yaml compose.yml docker-compose.yaml docker-compose.yml; do [ -f "$f" ] || continue; docker compose -f "$f" config -q || exit 1; done',
  },
  {
    name: "kubernetes",
    about: "manifests (in k8s/) and Helm charts; the gate needs a cluster context for its dry run",
    routes: ["kubernetes", "k8s", "kubectl", "helm", "manifest", "pod"],
    gate: "if [ -d k8s ]; then kubectl apply --dry-run=client -R -f k8s; fi",
  },
  {
    name: "terraform",
    about: "Terraform modules, validated before a task completes",
    routes: ["terraform", "infrastructure", "provision", "module"],
    gate: "if ls ./*.tf >/dev/null 2>&1; then terraform init -backend=false -input=false -no-color >/dev/null && terraform validate -no-color; fi",
  },
  { name: "github", about: "branches, pull requests (gh) and Actions workflows", routes: ["github", "pr", "branch", "actions", "workflow"], gate: null },
  {
    name: "ansible",
    about: "playbooks (site.yml, playbook.yml, playbooks/*.yml), syntax-checked",
    routes: ["ansible", "playbook", "inventory", "configure"],
    gate: 'for p in site.yml playbook.yml playbooks/*.yml; do [ -f "$p" ] || continue; ansible-playbook --syntax-check -i localhost, "$p" || exit 1; done',
  },
];

/**
 * Regular expressions over each command as the policy reads it (program
 * name first, words separated by one space; variable assignments before it,
 * hence no `^`). A force push is refused to every branch: a pattern cannot
 * know which branches are protected.
 */
export const DEVOPS_DENY: readonly string[] = [
  String.raw`\bkubectl\b.*\sdelete\s+(ns|namespaces?)\b`,
  String.raw`\bterraform\b.*(\sdestroy\b|\s-destroy\b)`,
  String.raw`\bdocker\b.*\ssystem\s+prune\b.*\s-(-all\b|[a-zA-Z]*a)`,
  String.raw`\bgit\b.*\spush\b.*(\s(--force|--force-with-lease|--force-if-includes)\b|\s-[a-zA-Z]*f|\s\+\S)`,
  String.raw`\bhelm\b.*\s(uninstall|delete|del|un)(\s|$)`,
];

/**
 * Production contexts wait for a person (`ask`): a name containing `prod`
 * (prod, production, eu-prod-1; also preprod: asking too often is the safe
 * side) as kubectl's or helm's context, the context switched to, the
 * Terraform workspace selected, or the workspace, folder or variable file of
 * a `terraform apply`. A workspace selected by an earlier task is not seen.
 */
export const DEVOPS_ASK: readonly string[] = [
  String.raw`\bkubectl\b.*\s--context(=|\s)\S*prod`,
  String.raw`\bkubectl\b.*\sconfig\s+use-context\s+\S*prod`,
  String.raw`\bhelm\b.*\s--kube-context(=|\s)\S*prod`,
  String.raw`\bterraform\b.*\sworkspace\s+(select|new)\b.*prod`,
  String.raw`^(?=.*\bterraform\b.*\sapply\b)(?=.*(\bTF_WORKSPACE=\S*prod|\s-chdir=\S*prod|\s-var-file=\S*prod))`,
];

/** The `policy:` lines of a devops agent, at the agent's indentation minus four spaces. */
export const DEVOPS_POLICY: readonly string[] = [
  "policy:                     # destructive operations are refused, production waits for you (docs/ROLES.md)",
  "  deny:",
  ...DEVOPS_DENY.map((pattern) => `    - ${yamlString(pattern)}`),
  "  ask:",
  ...DEVOPS_ASK.map((pattern) => `    - ${yamlString(pattern)}`),
];

/** A single-quoted YAML scalar: backslashes stay as they are, a quote is doubled. */
export function yamlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

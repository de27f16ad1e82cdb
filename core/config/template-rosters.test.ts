import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkPolicy, closePolicyChecker, compilePolicy } from "../policy/index.js";
import { configTemplate, DEVOPS_ASK, parseConfig, TEMPLATES, type TemplateOptions } from "./index.js";

const plain = mkdtempSync(join(tmpdir(), "ca-template-"));
const repo = mkdtempSync(join(tmpdir(), "ca-template-git-"));
mkdirSync(join(repo, ".git"));
afterAll(async () => {
  await closePolicyChecker();
  for (const dir of [plain, repo]) rmSync(dir, { recursive: true, force: true });
});

const load = (options: TemplateOptions, dir = options.inGitRepo ? repo : plain) =>
  parseConfig(configTemplate(options), { file: join(dir, "swarm.yaml"), baseDir: dir });

describe("init's templates", () => {
  it.each(TEMPLATES.flatMap((template) => [false, true].map((inGitRepo) => [template, inGitRepo] as const)))(
    "%s (in a git repository: %s) loads without a problem, every agent sandboxed with bwrap",
    (template, inGitRepo) => {
      const config = load({ template, inGitRepo });
      expect(config.agents.length).toBeGreaterThanOrEqual(4);
      for (const agent of config.agents) expect(agent.sandbox?.kind, agent.name).toBe("bwrap");
      if (template !== "shell") for (const agent of config.agents) expect(agent.worktree, agent.name).toBe(inGitRepo);
    },
  );

  it("claude: the five specialists on Claude Code, each with its shipped role, a gate and gate retries", () => {
    const config = load({ template: "claude", inGitRepo: true, testCommand: "npm test" });
    expect(config.agents.map((a) => [a.name, a.runtime, a.role?.source])).toEqual(
      ["backend-api", "frontend-ui", "database", "testing", "deployment"].map((name) => [name, "claude", `shipped: roles/${name}.md`]),
    );
    expect(config.agents.every((a) => a.gate === "npm test" && a.gateRetries === 1 && a.args.includes("acceptEdits"))).toBe(true);
    expect(config.defaultAgent).toBe("backend-api");
    // Outside a repository and without a test command: no gate that would fail every task.
    expect(load({ template: "claude" }).agents.every((a) => a.gate === null && !a.worktree)).toBe(true);
  });

  it("claude on another program: the same specialists on the program init chose, with its path when off PATH", () => {
    const config = load({ template: "claude", runtime: "codex", programs: [{ runtime: "codex", command: "/opt/codex/bin/codex" }] });
    expect(config.agents.every((a) => a.runtime === "codex" && a.command === "/opt/codex/bin/codex")).toBe(true);
    const langchain = load({ template: "claude", runtime: "langchain", llm: { baseUrl: "http://127.0.0.1:8080/v1", model: "m", apiKeyEnv: "OPENAI_API_KEY" } });
    expect(langchain.agents[0]).toMatchObject({ runtime: "langchain", llm: { baseUrl: "http://127.0.0.1:8080/v1", model: "m", apiKeyEnv: "OPENAI_API_KEY" } });
  });

  it("mixed: Claude Code, Codex, Gemini CLI and Qwen Code side by side, each with a role", () => {
    const config = load({ template: "mixed", programs: [{ runtime: "qwen", node: "22" }] });
    expect(config.agents.map((a) => [a.name, a.runtime, a.role?.source.replace("shipped: roles/", "")])).toEqual([
      ["claude-coder", "claude", "backend-api.md"],
      ["codex-coder", "codex", "frontend-ui.md"],
      ["gemini-coder", "gemini", "testing.md"],
      ["qwen-coder", "qwen", "database.md"],
    ]);
    expect(config.agents.find((a) => a.runtime === "qwen")?.node).toBe("22");
    expect(config.defaultAgent).toBe("claude-coder");
  });

  it("devops: docker, kubernetes, terraform, github and ansible, with their roles, a gate each and the destructive-operations policy", () => {
    const config = load({ template: "devops", inGitRepo: true });
    expect(config.agents.map((a) => [a.name, a.role?.source])).toEqual(
      ["docker", "kubernetes", "terraform", "github", "ansible"].map((n) => [n, `shipped: roles/${n}.md`]),
    );
    const gates = Object.fromEntries(config.agents.map((a) => [a.name, a.gate]));
    expect(gates.terraform).toContain("terraform validate");
    expect(gates.kubernetes).toContain("kubectl apply --dry-run=client");
    expect(gates.ansible).toContain("ansible-playbook --syntax-check");
    expect(gates.github).toBe("git diff --check");
    const shell = load({ template: "devops", runtime: "shell" });
    expect(shell.agents.every((a) => a.runtime === "shell" && a.policy?.deny.length === 5)).toBe(true);
    expect(shell.agents.every((a) => a.policy?.ask?.length === DEVOPS_ASK.length)).toBe(true);
    // Claude Code obeys it through a hook; a program without one gets it commented, with why.
    expect(load({ template: "devops" }).agents.every((a) => a.runtime === "claude" && a.policy?.deny.length === 5)).toBe(true);
    expect(load({ template: "devops", runtime: "codex" }).agents.every((a) => a.runtime === "codex" && a.policy?.deny.length === 5)).toBe(true);
    expect(configTemplate({ template: "devops", runtime: "aider" })).toContain("# The aider program has no hook that runs our command policy");
  });
});

describe("the devops policy", () => {
  const config = load({ template: "devops", inGitRepo: true, runtime: "shell" });
  const policy = compilePolicy(config.agents[0]!.policy!);

  it.each([
    "kubectl delete namespace prod",
    "kubectl --context prod delete ns payments",
    "terraform destroy -auto-approve",
    "cd infra && terraform apply -destroy",
    "docker system prune -a",
    "docker system prune --all --force",
    "docker system prune -af",
    "git push --force origin main",
    "git push -f",
    "git push origin +main",
    "git push --force-with-lease",
    "helm uninstall my-release",
    "helm --namespace web delete my-release",
    "sudo terraform destroy",
    "TF_LOG=debug terraform destroy",
  ])("refuses %s", async (command) => {
    expect(await checkPolicy(command, policy)).toMatchObject({ allowed: false });
  });

  it.each([
    "kubectl get namespaces",
    "kubectl delete pod web-1",
    "kubectl apply --dry-run=client -f k8s/",
    "terraform plan -out plan.tfplan",
    "terraform validate",
    "docker system prune",
    "docker build -t app .",
    "git push origin feature/x",
    "helm install web ./chart",
    "helm upgrade --install web ./chart",
  ])("allows %s", async (command) => {
    expect(await checkPolicy(command, policy)).toEqual({ allowed: true });
  });

  it("admits every devops gate (gates are checked against the agent's policy before they run)", async () => {
    for (const agent of config.agents) expect(await checkPolicy(agent.gate!, compilePolicy(agent.policy!)), agent.name).toEqual({ allowed: true });
  });
});

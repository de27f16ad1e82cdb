import { afterAll, describe, expect, it } from "vitest";
import { checkPolicy, closePolicyChecker, compilePolicy } from "../policy/index.js";
import { DEVOPS_ASK, DEVOPS_DENY } from "./template-devops.js";

afterAll(closePolicyChecker);

/** The devops template's policy, as an agent `init --template devops` wrote has it. */
const policy = compilePolicy({ deny: DEVOPS_DENY, ask: DEVOPS_ASK });
const verdictOf = async (command: string): Promise<"allow" | "ask" | "deny"> => {
  const verdict = await checkPolicy(command, policy);
  return verdict.allowed ? "allow" : verdict.ask ? "ask" : "deny";
};

describe("the devops template's ask rules: production contexts wait for a person", () => {
  it.each([
    "kubectl --context prod apply -f k8s/",
    "kubectl --context=production get pods",
    "kubectl -n api --context eu-prod-1 rollout restart deploy/api",
    "k''ubectl --context 'prod' scale deploy/api --replicas=0",
    "sudo kubectl --context prod get nodes",
    "kubectl config use-context prod",
    "helm upgrade api ./chart --kube-context prod",
    "helm --kube-context=production install api ./chart",
    "terraform workspace select prod",
    "terraform workspace select -or-create production",
    "terraform workspace new prod-eu",
    "TF_WORKSPACE=prod terraform apply -auto-approve",
    "terraform -chdir=envs/prod apply",
    "terraform apply -var-file=prod.tfvars",
    'cd infra && bash -c "terraform -chdir=envs/prod apply -auto-approve"',
  ])("asks about %s", async (command) => {
    expect(await verdictOf(command)).toBe("ask");
  });

  it.each([
    "kubectl --context staging apply -f k8s/",
    "kubectl get pods",
    "kubectl apply --dry-run=client -R -f k8s",
    "kubectl config use-context dev",
    "kubectl --context dev logs deploy/prodder-not-a-context",
    "helm upgrade api ./chart --kube-context dev",
    "terraform workspace select staging",
    "terraform apply",
    "TF_WORKSPACE=dev terraform apply",
    "terraform plan -var-file=prod.tfvars",
    "terraform -chdir=envs/prod plan",
    "echo prod",
  ])("lets %s through", async (command) => {
    expect(await verdictOf(command)).toBe("allow");
  });

  it.each(["kubectl --context prod delete namespace payments", "TF_WORKSPACE=prod terraform destroy", "terraform -chdir=envs/prod apply -destroy"])(
    "still refuses %s: deny wins over ask",
    async (command) => {
      expect(await verdictOf(command)).toBe("deny");
    },
  );
});

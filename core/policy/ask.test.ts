import { afterAll, describe, expect, it } from "vitest";
import { checkPolicy, closePolicyChecker, compilePolicy } from "./index.js";

afterAll(closePolicyChecker);

const KUBECTL_PROD = String.raw`\bkubectl\b.*\s--context[=\s]\S*prod`;

describe("an agent's ask rules", () => {
  it("ask about a matching command, naming the rule and the command as the patterns see it", async () => {
    const policy = compilePolicy({ ask: [KUBECTL_PROD] });
    expect(await checkPolicy("kubectl --context prod-eu apply -f k8s", policy)).toEqual({
      allowed: false,
      rule: `ask[0] ${KUBECTL_PROD}`,
      reason: `needs a person's approval by policy rule ask[0] ${KUBECTL_PROD}: kubectl --context prod-eu apply -f k8s`,
      ask: { command: "kubectl --context prod-eu apply -f k8s" },
    });
    // Quote tricks, wrappers and nested code are seen through as for deny rules.
    for (const task of ["k''ubectl --context 'prod' get pods", "sudo kubectl --context prod get pods", 'bash -c "kubectl --context=prod get pods"'])
      expect(await checkPolicy(task, policy)).toMatchObject({ allowed: false, ask: { command: expect.stringContaining("kubectl") } });
    expect(await checkPolicy("kubectl --context staging get pods", policy)).toEqual({ allowed: true });
  });

  it("lose to deny: a task with a denied command is refused, whatever else in it asks", async () => {
    const policy = compilePolicy({ deny: [String.raw`\bdelete\b`], ask: [KUBECTL_PROD] });
    const verdict = await checkPolicy("kubectl --context prod delete pod x", policy);
    expect(verdict).toMatchObject({ allowed: false, rule: String.raw`deny[0] \bdelete\b` });
    expect(verdict).not.toHaveProperty("ask");
    // The refusal comes after the asked command, and in nested code: still a refusal.
    expect(await checkPolicy("kubectl --context prod get pods; rm -rf /", policy)).toMatchObject({ allowed: false, rule: "rm-rf-root" });
    expect(await checkPolicy('bash -c "kubectl --context prod get pods"; echo delete', policy)).toMatchObject({
      allowed: false,
      rule: String.raw`deny[0] \bdelete\b`,
    });
  });

  it("win over allow: an allowed command that an ask rule matches is asked about", async () => {
    const policy = compilePolicy({ ask: [KUBECTL_PROD], allow: ["kubectl .*"] });
    expect(await checkPolicy("kubectl --context prod get pods", policy)).toMatchObject({ allowed: false, ask: {} });
    expect(await checkPolicy("kubectl --context dev get pods", policy)).toEqual({ allowed: true });
  });

  it("stand in for the allow list: an asked command needs no allow pattern, the others of the task still do", async () => {
    const policy = compilePolicy({ ask: [String.raw`\bterraform\s+apply\b`], allow: ["echo .*"] });
    expect(await checkPolicy("echo go && terraform apply", policy)).toMatchObject({ allowed: false, ask: { command: "terraform apply" } });
    expect(await checkPolicy("terraform apply && npm publish", policy)).toMatchObject({ allowed: false, rule: "allow-list" });
  });

  it("ask nothing when no rule matches, and nothing without ask rules", async () => {
    expect(await checkPolicy("kubectl --context prod get pods", compilePolicy({ deny: ["^helm"] }))).toEqual({ allowed: true });
    expect(await checkPolicy("echo prod", compilePolicy({ ask: [KUBECTL_PROD] }))).toEqual({ allowed: true });
  });
});

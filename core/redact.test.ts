import { describe, expect, it } from "vitest";
import { makeRedactor, secretValues } from "./redact.js";

describe("secret redaction", () => {
  const redact = makeRedactor(["hunter2-very-secret"]);

  it("replaces configured secret values wherever they appear", () => {
    expect(redact("password is hunter2-very-secret, again hunter2-very-secret")).toBe("password is [redacted], again [redacted]");
  });

  it.each([
    ["an Anthropic key", "key=sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"],
    ["an OpenAI project key", "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz012345"],
    ["a GitHub token", "token ghp_abcdefghijklmnopqrstuvwxyz0123456789AB"],
    ["an AWS access key id", "aws AKIAIOSFODNN7EXAMPLE here"],
    ["a Slack token", "xoxb-123456789012-abcdefghijkl"],
    ["a JWT", "auth eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"],
    ["a bearer token", "Authorization: Bearer abcdef0123456789abcdef0123"],
  ])("hides %s", (_what, text) => {
    const out = redact(text);
    expect(out).toContain("[redacted]");
    expect(out.length).toBeLessThan(text.length);
  });

  it("hides a whole private key block", () => {
    const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nAAAA\n-----END OPENSSH PRIVATE KEY-----";
    expect(redact(`before\n${key}\nafter`)).toBe("before\n[redacted]\nafter");
  });

  it("leaves ordinary text alone", () => {
    const text = "npm test: 42 passed, sk-short, token: none, ghp_ too short";
    expect(redact(text)).toBe(text);
  });

  it("takes secret values from variables named like secrets, ignoring short ones", () => {
    const values = secretValues({ OPENAI_API_KEY: "abcdef123456", GITHUB_TOKEN: "tok-987654", PATH: "/usr/bin", DB_PASSWORD: "x" });
    expect(values.sort()).toEqual(["abcdef123456", "tok-987654", "x"].sort());
    expect(makeRedactor(values)("use abcdef123456 and x")).toBe("use [redacted] and x");
  });
});

import { describe, expect, it } from "vitest";
import { makeRedactor, redactShapes, REDACTED, secretValues } from "./redact.js";

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
    ["HTTP basic credentials", "Authorization: Basic YXBwOnMzY3JldC1wdw=="],
  ])("hides %s", (_what, text) => {
    const out = redact(text);
    expect(out).toContain("[redacted]");
    expect(out.length).toBeLessThan(text.length);
  });

  it("hides a whole private key block, and the head of one cut short", () => {
    const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nAAAA\n-----END OPENSSH PRIVATE KEY-----";
    expect(redact(`before\n${key}\nafter`)).toBe("before\n[redacted]\nafter");
    expect(redact("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nxyz+/=\n")).toBe("[redacted]");
  });

  it.each([
    ["a URL's password, keeping user and host", "psql postgres://app:pw@db:5432/app", "psql postgres://app:[redacted]@db:5432/app"],
    ["a password in an https URL", "git clone https://bob:s3cr3t-tok@git.example.com/r.git", "git clone https://bob:[redacted]@git.example.com/r.git"],
    ["token= in text (the workflow show finding)", "deploy token=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB env=prod", "deploy token=[redacted] env=prod"],
    ["a plain token= value", "curl -H x token=abc123def", "curl -H x token=[redacted]"],
    [
      "password= and --password=",
      "mysql --password=hunter2 -u root; PGPASSWORD=pa55word psql",
      "mysql --password=[redacted] -u root; PGPASSWORD=[redacted] psql",
    ],
    ["a YAML secret", "client_secret: Zm9vYmFyYmF6\nname: x", "client_secret: [redacted]\nname: x"],
    ["a JSON api key", '{"api_key": "abc 123 def", "n": 1}', '{"api_key": "[redacted]", "n": 1}'],
    ["an AWS secret access key in an ini file", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = [redacted]"],
    [
      "an AWS secret access key in the environment",
      "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "export AWS_SECRET_ACCESS_KEY=[redacted]",
    ],
    ["an AWS secret in JSON", '"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', '"SecretAccessKey": "[redacted]"'],
  ])("hides %s", (_what, text, expected) => {
    expect(redact(text)).toBe(expected);
    expect(redact(expected)).toBe(expected);
  });

  it("leaves ordinary text alone", () => {
    const text =
      "npm test: 42 passed, sk-short, token: none, ghp_ too short, outputTokens: 1234, token_type=bearer, password=$DB_PASSWORD, https://example.com/a:b@c";
    expect(redact(text)).toBe(text);
  });

  it("takes secret values from variables named like secrets, ignoring short ones", () => {
    const values = secretValues({ OPENAI_API_KEY: "abcdef123456", GITHUB_TOKEN: "tok-987654", PATH: "/usr/bin", DB_PASSWORD: "x" });
    expect(values.sort()).toEqual(["abcdef123456", "tok-987654", "x"].sort());
    expect(makeRedactor(values)("use abcdef123456 and x")).toBe("use [redacted] and x");
  });

  it("is idempotent", () => {
    const text = "postgres://a:b@h token=abcdef ghp_abcdefghijklmnopqrstuvwxyz0123456789AB -----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----";
    const once = redactShapes(text);
    expect(redactShapes(once)).toBe(once);
    expect(once).not.toMatch(/ghp_|AAAA|:b@/);
  });

  it("runs in linear time on 10 MB of hostile input", () => {
    const size = 10 * 1024 * 1024;
    const inputs = [
      "-----BEGIN RSA PRIVATE KEY-----".repeat(size / 31),
      `-----BEGIN RSA PRIVATE KEY-----\n${"-".repeat(size)}`,
      "sk-".repeat(size / 3),
      "glpat-".repeat(size / 6),
      "eyJ-".repeat(size / 4),
      `${"a.".repeat(size / 2)}://`,
      "a://b:".repeat(size / 6),
      "password=".repeat(size / 9),
      `${"x_".repeat(size / 2)}token`,
      `Bearer ${" ".repeat(size)}`,
      "a".repeat(size),
    ];
    for (const input of inputs) expect(typeof redactShapes(input)).toBe("string");
  }, 120_000);

  it("uses the one marker", () => {
    expect(REDACTED).toBe("[redacted]");
  });
});

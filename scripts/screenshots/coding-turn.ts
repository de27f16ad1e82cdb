/**
 * The model's side of the screenshots' task, for the scripted Anthropic
 * server (test/fixtures/llm/anthropic.ts): what a coding agent does with
 * "Create user auth system" in a small Node project. It writes a module and
 * its test with Claude Code's Write tool, runs the test with its Bash tool
 * (for real, in the agent's sandbox and worktree) and sums up; an
 * interactive agent also writes that summary to the result file the
 * bridge's prompt names. Every reply comes after a pause, as a model's does,
 * so that the pictures can catch the agent at work.
 */
import type { AnthropicBlock } from "../../test/fixtures/llm/anthropic.js";
import type { Turn } from "../../test/fixtures/llm/result-file.js";

export const DEMO_TASK = "Create user auth system";

/** How long the scripted model "thinks" before each reply. */
const THINK_MS = 2500;

const AUTH_MODULE = `import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";

/** "scrypt$salt$hash": a random 16-byte salt per password. */
export function hashPassword(password) {
  const salt = randomBytes(16);
  return \`scrypt$\${salt.toString("hex")}$\${scryptSync(password, salt, 64).toString("hex")}\`;
}

export function verifyPassword(password, stored) {
  const [scheme, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "hex");
  return timingSafeEqual(scryptSync(password, Buffer.from(salt, "hex"), expected.length), expected);
}

export function createUserStore() {
  const users = new Map();
  return {
    register(email, password) {
      if (password.length < 8) throw new Error("password must have at least 8 characters");
      if (users.has(email)) throw new Error(\`\${email} is already registered\`);
      users.set(email, hashPassword(password));
    },
    login(email, password) {
      const stored = users.get(email);
      return stored !== undefined && verifyPassword(password, stored);
    },
  };
}
`;

const AUTH_TEST = `import assert from "node:assert/strict";
import { test } from "node:test";
import { createUserStore, hashPassword, verifyPassword } from "../src/auth.js";

test("a stored password verifies and a wrong one does not", () => {
  const stored = hashPassword("correct horse");
  assert.ok(verifyPassword("correct horse", stored));
  assert.ok(!verifyPassword("wrong horse", stored));
});

test("the same password hashes differently each time", () => {
  assert.notEqual(hashPassword("correct horse"), hashPassword("correct horse"));
});

test("register refuses a short password and a taken email", () => {
  const users = createUserStore();
  assert.throws(() => users.register("ada@example.com", "short"), /at least 8/);
  users.register("ada@example.com", "correct horse");
  assert.throws(() => users.register("ada@example.com", "another one"), /already registered/);
});

test("login accepts the right password only", () => {
  const users = createUserStore();
  users.register("ada@example.com", "correct horse");
  assert.ok(users.login("ada@example.com", "correct horse"));
  assert.ok(!users.login("ada@example.com", "wrong horse"));
  assert.ok(!users.login("bob@example.com", "correct horse"));
});
`;

export const TEST_COMMAND = "node --test --test-reporter=spec test/auth.test.js";

const SUMMARY = [
  "Added a small user auth system:",
  "- src/auth.js: register and login; passwords hashed with scrypt (random salt, constant-time check)",
  "- test/auth.test.js: 4 tests for hashing, registration and login",
  "Ran the tests: 4 passed.",
].join("\n");

let counter = 0;
const tool = (name: string, input: Record<string, unknown>): AnthropicBlock => ({ type: "tool_use", id: `toolu_demo${++counter}`, name, input });
const text = (value: string): AnthropicBlock => ({ type: "text", text: value });

/** The reply to one turn of the demo task's conversation; null for any other conversation. */
export async function codingTurn(turn: Turn): Promise<AnthropicBlock[] | null> {
  if (!turn.prompt.includes(DEMO_TASK)) return null;
  const steps: AnthropicBlock[][] = [
    [text("I'll add an auth module with hashed passwords, then a test for it."), tool("Write", { file_path: "src/auth.js", content: AUTH_MODULE })],
    [tool("Write", { file_path: "test/auth.test.js", content: AUTH_TEST })],
    [text("Now the tests."), tool("Bash", { command: TEST_COMMAND, description: "Run the auth tests" })],
  ];
  if (turn.resultFile) steps.push([tool("Write", { file_path: turn.resultFile, content: `${SUMMARY}\n` })]);
  steps.push([text(SUMMARY)]);
  await new Promise((resolve) => setTimeout(resolve, THINK_MS));
  return steps[Math.min(turn.step, steps.length - 1)]!;
}

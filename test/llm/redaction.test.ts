/**
 * Secret redaction end to end, through a real swarm: secret values from an
 * agent's `env` (variables named like secrets), from the daemon's own
 * environment, and well-known key shapes are `[redacted]` in stored results,
 * the event stream and logs/swarm.jsonl, while the agent's own pane (what a
 * person attached sees) still shows them. Both a shell agent and the
 * langchain agent, whose answer repeats what its command tool printed.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/llm/openai.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { capturePane, cli } from "./support.js";

const AGENT_SECRET = "agent-secret-value-7f3a9c";
const DAEMON_SECRET = "daemon-secret-value-51e2b8";
const LC_SECRET = "langchain-secret-token-0d4e6f";
const KEY_SHAPE = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";
const ALL = [AGENT_SECRET, DAEMON_SECRET, LC_SECRET, KEY_SHAPE];

describe("secret redaction", () => {
  let llm: OpenAiServer;
  let swarm: TestSwarm;
  let work: string;

  beforeAll(async () => {
    llm = await startOpenAiServer({
      scripts: {
        leak: ({ step, lastToolResult }) =>
          step === 0
            ? { toolCalls: [{ name: "run_command", args: { command: "echo token=$DEPLOY_TOKEN" } }] }
            : { text: `The command printed: ${lastToolResult}` },
      },
    });
    work = mkdtempSync(join(tmpdir(), "ca-redact-"));
    swarm = await startTestSwarm(
      `
agents:
  - name: sh
    runtime: shell
    cwd: ${work}
    env: { SERVICE_API_KEY: ${AGENT_SECRET}, PLAIN_SETTING: visible-value-123 }
    timeout: 60
  - name: lc
    runtime: langchain
    cwd: ${work}
    llm: { base_url: "${llm.url}/v1", model: test-model }
    env: { DEPLOY_TOKEN: ${LC_SECRET} }
    timeout: 60
`,
      { env: { BUILD_PASSWORD: DAEMON_SECRET } },
    );
  });
  afterAll(async () => {
    await swarm?.destroy();
    await llm?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("redacts a shell task's result, events and logs, and leaves its pane alone", async () => {
    const client = await swarm.connect();
    const task = `echo "agent=$SERVICE_API_KEY daemon=$BUILD_PASSWORD shape=${KEY_SHAPE.slice(0, 4)}""${KEY_SHAPE.slice(4)} plain=$PLAIN_SETTING"; exit 3`;
    const handle = await client.submit({ task, agent: "sh" });
    const result = await handle.result({ signal: AbortSignal.timeout(20_000) });
    expect(result).toMatchObject({ status: "failed", exitCode: 3 });
    expect(result.output).toBe("agent=[redacted] daemon=[redacted] shape=[redacted] plain=visible-value-123\n");

    const shown = await cli(swarm, ["result", handle.id, "--json"]);
    const logs = await cli(swarm, ["logs", "--json", "-n", "200"]);
    const logFile = readFileSync(join(swarm.paths.logsDir, "swarm.jsonl"), "utf8");
    expect(logFile).toContain(handle.id); // the log does record this task
    for (const text of [shown.stdout, logs.stdout, logFile]) {
      for (const secret of ALL) expect(text).not.toContain(secret);
    }

    // What the agent's own pane shows is untouched.
    const pane = capturePane(swarm, "sh-1");
    expect(pane).toContain(`agent=${AGENT_SECRET} daemon=${DAEMON_SECRET} shape=${KEY_SHAPE}`);
  });

  it("redacts the langchain agent's answer and output, and leaves its pane alone", async () => {
    const client = await swarm.connect();
    const handle = await client.submit({ task: "Show me the deploy token [[script:leak]]", agent: "lc" });
    const result = await handle.result({ signal: AbortSignal.timeout(40_000) });
    expect(result.status).toBe("completed");
    expect(result.answer).toBe("The command printed: exit code 0\ntoken=[redacted]");
    expect(result.output).toContain("⎿ exit code 0 token=[redacted]");
    for (const secret of ALL) {
      expect(JSON.stringify(result)).not.toContain(secret);
      expect(readFileSync(join(swarm.paths.logsDir, "swarm.jsonl"), "utf8")).not.toContain(secret);
    }
    expect(capturePane(swarm, "lc-1")).toContain(`token=${LC_SECRET}`);
  });
});

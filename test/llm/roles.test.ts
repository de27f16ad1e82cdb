/**
 * Roles reach the LangChain agent's model: the scripted OpenAI-compatible
 * server sees the role's text at the head of the system message of every
 * request, for a shipped role and for inline text, and `status --agent`
 * shows the role, its source and how the program receives it.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shippedRolesDir } from "../../core/index.js";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/llm/openai.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

const WAIT_MS = 45_000;

function systemMessage(body: unknown): string {
  const messages = (body as { messages: { role: string; content: unknown }[] }).messages;
  const system = messages.find((m) => m.role === "system");
  const content = system?.content;
  if (typeof content === "string") return content;
  // LangChain sends the system message as content parts: [{ type: "text", text }].
  return Array.isArray(content) ? content.map((part: { text?: string }) => part.text ?? "").join("") : "";
}

describe("roles reach the langchain agent", () => {
  let llm: OpenAiServer;
  let swarm: TestSwarm;
  let work: string;

  beforeAll(async () => {
    llm = await startOpenAiServer({ scripts: { hello: () => ({ text: "ok" }) } });
    work = mkdtempSync(join(tmpdir(), "ca-roles-"));
    const llmYaml = `{ base_url: "${llm.url}/v1", model: test-model }`;
    swarm = await startTestSwarm(`
agents:
  - name: reviewer
    runtime: langchain
    cwd: ${work}
    llm: ${llmYaml}
    role: security-reviewer
    timeout: 60
  - name: notes
    runtime: langchain
    cwd: ${work}
    llm: ${llmYaml}
    role: |
      You write release notes in French, and nothing else.
      - Never run commands.
    timeout: 60
  - name: plain
    runtime: shell
  - name: coder
    runtime: claude
    command: ${resolve(import.meta.dirname, "../../node_modules/.bin/claude")}
    cwd: ${work}
    role: backend-api
`);
  });
  afterAll(async () => {
    await swarm?.destroy();
    await llm?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function ask(agent: string, tag: string): Promise<string> {
    const client = await swarm.connect();
    const result = await (await client.submit({ task: `Say ok. ${tag} [[script:hello]]`, agent })).result({ signal: AbortSignal.timeout(WAIT_MS) });
    expect(result.status).toBe("completed");
    const request = llm.requests.find((r) => r.userTexts.some((t) => t.includes(tag)));
    if (request === undefined) throw new Error(`the model never saw ${tag}`);
    return systemMessage(request.body);
  }

  it("a shipped role is the head of the system message, the agent's working rules after it", async () => {
    const system = await ask("reviewer", "tag-shipped");
    const role = readFileSync(join(shippedRolesDir() ?? "", "security-reviewer.md"), "utf8").trim();
    expect(system.slice(0, role.length)).toBe(role);
    expect(system).toContain("## How you work here");
    expect(system).toContain(`You are a coding agent working in the directory ${work}.`);
  });

  it("inline text, a line starting with '-' included, arrives as written", async () => {
    const system = await ask("notes", "tag-inline");
    const head = "You write release notes in French, and nothing else.\n- Never run commands.\n\n## How you work here";
    expect(system.slice(0, head.length)).toBe(head);
  });

  it("status --agent shows the role, where it came from and how the program gets it", () => {
    const shown = swarm.cli(["status", "--agent", "reviewer"]);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toContain("role (shipped: roles/security-reviewer.md; delivered as the system message of every model request):");
    expect(shown.stdout).toContain("  # Role: security-reviewer");
    const json = JSON.parse(swarm.cli(["status", "--agent", "notes", "--json"]).stdout) as { agents: { role: { source: string; text: string } }[] };
    expect(json.agents[0]?.role).toMatchObject({ source: "inline", text: "You write release notes in French, and nothing else.\n- Never run commands." });
    expect(swarm.cli(["status", "--agent", "plain"]).stdout).toContain("role: none");
    expect(swarm.cli(["status", "--agent", "coder"]).stdout).toContain(
      "role (shipped: roles/backend-api.md; delivered as Claude Code's appended system prompt (--append-system-prompt-file <config>/claude-agent/role.md)):",
    );
  });
});

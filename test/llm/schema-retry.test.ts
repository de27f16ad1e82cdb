/**
 * output_schema with a real program agent: the LangChain agent answers a
 * workflow step with JSON that does not match the step's schema; the next
 * request the scripted model server receives is the follow-up prompt, in the
 * same conversation, carrying the validator's errors; the corrected answer is
 * accepted and a later step reads one of its fields.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/llm/openai.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

const BAD = '{"hosts": "web1", "note": "[[script:spec]]"}';
const GOOD = { hosts: [{ name: "web1", port: 8080 }] };

describe("output_schema retries with the LangChain agent", () => {
  let llm: OpenAiServer;
  let swarm: TestSwarm;
  let work: string;

  beforeAll(async () => {
    llm = await startOpenAiServer({
      scripts: {
        // The first answer breaks the schema (and quotes the marker, so the follow-up, which
        // quotes the answer back, comes to this script again); the follow-up gets it right.
        spec: ({ userText }) => (userText.includes("The validator says:") ? { text: `Fixed:\n\`\`\`json\n${JSON.stringify(GOOD)}\n\`\`\`` } : { text: BAD }),
      },
    });
    work = mkdtempSync(join(tmpdir(), "ca-schema-"));
    swarm = await startTestSwarm(`
agents:
  - { name: writer, runtime: langchain, cwd: ${work}, llm: { base_url: "${llm.url}/v1", model: test-model }, timeout: 60 }
  - { name: sh, runtime: shell, cwd: ${work}, timeout: 60 }
`);
  });
  afterAll(async () => {
    await swarm?.destroy();
    await llm?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("sends the validation errors as the next prompt of the conversation and continues with the corrected JSON", async () => {
    writeFileSync(
      join(work, "hosts.schema.json"),
      JSON.stringify({
        type: "object",
        additionalProperties: false,
        required: ["hosts"],
        properties: {
          hosts: { type: "array", items: { type: "object", required: ["name", "port"], properties: { name: { type: "string" }, port: { type: "integer" } } } },
        },
      }),
    );
    writeFileSync(
      join(work, "wf.yaml"),
      `
name: hosts
steps:
  - id: spec
    agent: writer
    task: "List the hosts as JSON. [[script:spec]]"
    output_schema: hosts.schema.json
  - id: use
    agent: sh
    depends_on: spec
    task: echo "first host {{steps.spec.json.hosts.0.name}} on {{steps.spec.json.hosts.0.port}}"
`,
    );
    const swarmClient = await swarm.connect();
    const { connect } = await import("../../index.js");
    const sdk = await connect({ home: swarm.home });
    try {
      const run = await sdk.runWorkflow(join(work, "wf.yaml"));
      const state = await run.result({ signal: AbortSignal.timeout(120_000) });
      expect(state.status, state.reason ?? "").toBe("completed");
      expect(state.steps.spec).toMatchObject({ fixes: 1, json: GOOD, schemaErrors: null });
      expect(state.steps.use?.output).toBe("first host web1 on 8080\n");

      const requests = llm.requests.filter((r) => r.script === "spec");
      expect(requests).toHaveLength(2);
      const followUp = requests[1]!;
      const prompt = followUp.userTexts.at(-1) ?? "";
      expect(prompt).toContain(
        `Your answer to the workflow step "spec" must be a JSON document valid against the JSON Schema ${join(work, "hosts.schema.json")}`,
      );
      expect(prompt).toContain("- /hosts: must be array");
      expect(prompt).toContain("- (the document): must NOT have additional properties: note");
      expect(prompt).toContain(BAD);
      // Same conversation: the first task's prompt is still in the history the model receives.
      expect(followUp.userTexts[0]).toContain("List the hosts as JSON.");
      const events = (await swarmClient.client.events.recent(500)).filter((e) => e.type === "step.schema-retry");
      expect(events).toHaveLength(1);
    } finally {
      await sdk.close();
    }
  });
});

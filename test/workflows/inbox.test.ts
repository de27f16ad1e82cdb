/**
 * The inbox from the command line, on a real swarm: an input step answered in a
 * real terminal (the dialogue asks each question with its default), an approval
 * answered there too, the answers reaching a shell step as variables; an item
 * that escalates when nobody answers; `approve ID STEP` closing an item; a cancel
 * withdrawing one; and one event per change on the stream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executionOf, type InboxItem } from "../../core/index.js";
import { CLI } from "../helpers/cli.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { TestTerminal } from "../tui/terminal.js";
import { cli, expectExit, json, workflowFile } from "./support.js";
import { waitFor } from "../helpers/wait.js";

describe("the inbox from the command line", () => {
  let swarm: TestSwarm;
  let terminal: TestTerminal;

  beforeAll(async () => {
    swarm = await startTestSwarm();
    terminal = TestTerminal.start({ width: 160, height: 40 });
  });
  afterAll(async () => {
    terminal?.close();
    await swarm?.destroy();
  });

  const items = async (all = false): Promise<InboxItem[]> => json(await cli(swarm.home, ["inbox", "--json", ...(all ? ["--all"] : [])])).items;
  const itemOf = (id: string, kind: string): Promise<InboxItem> =>
    waitFor(`an open ${kind} item`, async () => (await items()).find((i) => executionOf(i.source) === id && i.kind === kind) ?? null, {
      timeoutMs: 60_000,
      everyMs: 200,
    });
  const run = async (content: object): Promise<string> => {
    const started = await cli(swarm.home, ["workflow", "run", "--file", workflowFile(swarm.home, content)]);
    expectExit(started, 0);
    return started.stdout.trim();
  };

  it("asks each question in a terminal, takes the approval there, and the shell step reads the answers as variables", async () => {
    const id = await run({
      name: "ask",
      steps: [
        {
          id: "who",
          input: {
            text: "Greeting setup",
            questions: [
              { name: "name", prompt: "Whom to greet?" },
              { name: "tone", prompt: "Which tone?", choices: ["warm", "dry"], default: "warm" },
            ],
          },
        },
        { id: "ok", depends_on: "who", approval: "Greet {{steps.who.answers.name}} ({{steps.who.answers.tone}})?" },
        { id: "greet", agent: "alpha", depends_on: "ok", task: "printf 'hello %s, %s\\n' {{steps.who.answers.name}} {{steps.who.answers.tone}}" },
      ],
    });
    const input = await itemOf(id, "input");
    terminal.run(`node ${CLI} --home ${swarm.home} answer ${input.id.slice(0, 5)}`);
    await terminal.waitFor(/Whom to greet\?:\s*$/m, { what: "the first question" });
    terminal.type('Ann "$(id)"');
    terminal.keys("Enter");
    await terminal.waitFor(/Which tone\? \[warm\/dry, default warm\]:\s*$/m, { what: "the second question, with its choices and default" });
    terminal.keys("Enter");
    await terminal.waitFor(new RegExp(`answered ${input.id} \\(ask/who\\): answers: name, tone`), { what: "the confirmation" });

    const approval = await itemOf(id, "approval");
    expect(approval.text).toBe('Greet Ann "$(id)" (warm)?');
    terminal.run(`node ${CLI} --home ${swarm.home} answer ${approval.id}`);
    await terminal.waitFor(/approve or deny\?\s*$/m, { what: "the approval question" });
    terminal.type("approve");
    terminal.keys("Enter");
    await terminal.waitFor(new RegExp(`answered ${approval.id} \\(ask/ok\\): approve`));

    const state = await waitFor(
      "the end",
      async () => {
        const s = json(await cli(swarm.home, ["workflow", "show", id, "--json"]));
        return s.status === "running" ? null : s;
      },
      { timeoutMs: 60_000, everyMs: 200 },
    );
    expect(state.status).toBe("completed");
    expect(state.steps.greet.output).toBe('hello Ann "$(id)", warm\n');
    expect(state.steps.who.answers).toEqual({ name: 'Ann "$(id)"', tone: "warm" });
    const answered = (await items(true)).filter((i) => executionOf(i.source) === id);
    expect(answered.map((i) => [i.kind, i.status, i.answer?.by.startsWith("cli:")])).toEqual([
      ["approval", "answered", true],
      ["input", "answered", true],
    ]);
    // Answering again is refused, and says who answered.
    const again = await cli(swarm.home, ["answer", approval.id, "deny"]);
    expectExit(again, 2);
    expect(again.stderr).toMatch(new RegExp(`inbox item ${approval.id} was already answered at \\S+ by cli:`));
  });

  it("escalates an item nobody answers, closes it on `approve ID STEP`, and withdraws one whose execution is cancelled", async () => {
    const id = await run({
      name: "slow",
      steps: [
        { id: "gate", approval: "Ship?", escalate_after: "1s" },
        { id: "after", agent: "beta", depends_on: "gate", task: "true" },
      ],
    });
    const item = await itemOf(id, "approval");
    await waitFor("the escalation", async () => ((await items()).find((i) => i.id === item.id)?.escalatedAt ? true : null), {
      timeoutMs: 30_000,
      everyMs: 200,
    });
    const listed = await cli(swarm.home, ["inbox"]);
    expect(listed.stdout).toMatch(new RegExp(`${item.id}\\s+approval\\s+open, escalated\\s+\\S+\\s+slow/gate: Ship\\?`));
    expectExit(await cli(swarm.home, ["approve", id, "gate"]), 0);
    expect((await items(true)).find((i) => i.id === item.id)).toMatchObject({
      status: "answered",
      answer: { decision: "approve", by: expect.stringMatching(/^cli:/) },
    });

    const cancelled = await run({ name: "dropped", steps: [{ id: "ask", input: { questions: [{ name: "x", prompt: "x?" }] } }] });
    const open = await itemOf(cancelled, "input");
    expectExit(await cli(swarm.home, ["workflow", "cancel", cancelled]), 0);
    expect((await items(true)).find((i) => i.id === open.id)).toMatchObject({ status: "withdrawn", reason: 'execution cancelled: step "ask" is cancelled' });
    const shown = await cli(swarm.home, ["inbox", open.id]);
    expect(shown.stdout).toContain('withdrawn: execution cancelled: step "ask" is cancelled');

    const events = (await cli(swarm.home, ["logs", "--json", "-n", "1000"])).stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; item?: string });
    const of = (itemId: string): string[] => events.filter((e) => e.item === itemId && e.type.startsWith("inbox.")).map((e) => e.type);
    expect(of(item.id)).toEqual(["inbox.opened", "inbox.escalated", "inbox.answered"]);
    expect(of(open.id)).toEqual(["inbox.opened", "inbox.withdrawn"]);
  });
});

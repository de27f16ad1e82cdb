import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { cli, json, workflowFile } from "../workflows/support.js";
import { TestTerminal } from "./terminal.js";

/**
 * The inbox in the dashboard, end to end (real TUI, real terminal, real swarm):
 * the status bar counts what waits, `i` opens the panel with the item in full,
 * `a` approves, Enter answers an input item question by question with the
 * defaults pre-filled, and the executions carry on.
 */
describe("the dashboard's inbox", () => {
  let swarm: TestSwarm;
  let term: TestTerminal;

  beforeAll(async () => {
    swarm = await startTestSwarm();
    term = TestTerminal.start({ width: 160, height: 48 });
    term.run(term.dashboardCommand(swarm.home));
    await term.waitFor(/● supervisor/, { what: "the dashboard" });
  });
  afterAll(async () => {
    term?.close();
    await swarm?.destroy();
  });

  const state = async (id: string) => json(await cli(swarm.home, ["workflow", "show", id, "--json"]));

  it("counts the waiting items, shows one in full, approves it with a and answers an input with Enter", async () => {
    const run = async (content: object): Promise<string> =>
      (await cli(swarm.home, ["workflow", "run", "--file", workflowFile(swarm.home, content)])).stdout.trim();
    const approval = await run({ name: "ship", steps: [{ id: "ok", approval: "Ship release 7 to staging?\nChecklist: green" }] });
    await term.waitFor(/1 waiting for you \(i\)/, { what: "the count in the status bar" });
    const asking = await run({
      name: "ask",
      steps: [
        {
          id: "q",
          input: {
            questions: [
              { name: "city", prompt: "Which city?", default: "Oslo" },
              { name: "n", prompt: "How many?" },
            ],
          },
        },
      ],
    });
    await term.waitFor(/2 waiting for you \(i\)/, { what: "two waiting" });

    term.keys("i");
    const panel = await term.waitFor(/ship\/ok: Ship release 7 to staging\?/, { what: "the inbox panel" });
    expect(panel).toContain("Checklist: green");
    expect(panel).toContain("a approve  d deny");
    term.keys("a");
    await term.waitFor(/answered i-[a-z0-9]{6}/, { what: "the approval confirmed" });
    await term.waitFor(/ask\/q: Which city\?/, { what: "the input item, now first" });
    term.keys("Enter");
    await term.waitFor(/city: Which city\?/, { what: "the first question's prompt" });
    term.keys("Enter"); // keeps the default, Oslo
    await term.waitFor(/n: How many\?/, { what: "the second question's prompt" });
    term.type("3");
    term.keys("Enter");
    await term.waitFor(/nothing waits for you/, { what: "an empty inbox" });

    const shipped = await state(approval);
    expect(shipped.status).toBe("completed");
    const asked = await state(asking);
    expect(asked.status).toBe("completed");
    expect(asked.steps.q.answers).toEqual({ city: "Oslo", n: "3" });
  });
});

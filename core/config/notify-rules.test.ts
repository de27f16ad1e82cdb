import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { DEFAULT_NOTIFY_RATE_PER_MINUTE, expandVariables, NOTIFY_EVENTS, parseConfig } from "./index.js";

const options = { file: "/project/swarm.yaml", baseDir: "/project" };
const AGENTS = "agents:\n  - { name: api, runtime: shell }\n";

function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError, but the config loaded");
}

describe("notify: in swarm.yaml", () => {
  it("is absent when the file has none", () => {
    expect(parseConfig(AGENTS, options).notify).toBeUndefined();
  });

  it("reads each kind of target with its defaults: a name from its type and place, json, the default rate", () => {
    const config = parseConfig(
      `${AGENTS}notify:
  - type: webhook
    url: https://hooks.example.com/T1
    events: [task.failed, needs-you, task.failed]
  - type: webhook
    name: ops-slack
    url: "\${SLACK_URL}"
    format: slack
    headers: { Authorization: "Bearer \${OPS_TOKEN}" }
    rate_limit: 5
    events: [all]
  - type: desktop
    events: [needs-you]
  - type: command
    command: [/usr/local/bin/page-me, --urgent]
    events: [budget.reached, agent.crash-loop]
`,
      options,
    );
    expect(config.notify).toEqual([
      {
        type: "webhook",
        name: "webhook-1",
        url: "https://hooks.example.com/T1",
        format: "json",
        headers: {},
        events: ["task.failed", "needs-you"],
        ratePerMinute: DEFAULT_NOTIFY_RATE_PER_MINUTE,
      },
      {
        type: "webhook",
        name: "ops-slack",
        url: "${SLACK_URL}",
        format: "slack",
        headers: { Authorization: "Bearer ${OPS_TOKEN}" },
        events: [...NOTIFY_EVENTS],
        ratePerMinute: 5,
      },
      { type: "desktop", name: "desktop-3", events: ["needs-you"], ratePerMinute: DEFAULT_NOTIFY_RATE_PER_MINUTE },
      {
        type: "command",
        name: "command-4",
        command: ["/usr/local/bin/page-me", "--urgent"],
        events: ["budget.reached", "agent.crash-loop"],
        ratePerMinute: 20,
      },
    ]);
  });

  it.each([
    ["not a list", "notify: { type: desktop }\n", 'notify: expected a list of targets (webhook, desktop or command), got {"type":"desktop"}'],
    ["an unknown type", "notify:\n  - { type: email, events: [all] }\n", 'notify.0.type: expected one of "webhook", "desktop", "command", got "email"'],
    ["no type", "notify:\n  - { events: [all] }\n", 'notify.0.type: expected one of "webhook", "desktop", "command", got nothing'],
    [
      "an unknown event",
      "notify:\n  - { type: desktop, events: [task.done] }\n",
      'notify.0.events.0: expected one of "all", "needs-you", "task.failed", "task.timeout", "workflow.finished", "workflow.failed", "agent.crash-loop", "breaker.open", "agent.parked", "budget.reached", got "task.done"',
    ],
    ["no events", "notify:\n  - { type: desktop, events: [] }\n", "notify.0.events: expected at least one event: a list of events:"],
    [
      "a URL that is not http",
      "notify:\n  - { type: webhook, url: ftp://x/y, events: [all] }\n",
      'notify.0.url: expected an http(s) URL such as "https://hooks.slack.com/services/…"',
    ],
    ["no URL", "notify:\n  - { type: webhook, events: [all] }\n", "notify.0.url: expected an http(s) URL"],
    [
      "a bad format",
      "notify:\n  - { type: webhook, url: http://127.0.0.1:9/, format: teams, events: [all] }\n",
      'notify.0.format: expected "json" or "slack", got "teams"',
    ],
    [
      "a header over two lines",
      'notify:\n  - { type: webhook, url: http://127.0.0.1:9/, headers: { X-A: "a\\nb" }, events: [all] }\n',
      "notify.0.headers.X-A: expected a header value on one line",
    ],
    [
      "a command as a shell line",
      "notify:\n  - { type: command, command: 'page-me --urgent', events: [all] }\n",
      "notify.0.command: expected the program and its arguments as a list",
    ],
    [
      "an empty program",
      "notify:\n  - { type: command, command: [''], events: [all] }\n",
      "notify.0.command: expected the program to run as the list's first word",
    ],
    ["a key of another type", "notify:\n  - { type: desktop, url: http://x/, events: [all] }\n", "notify.0.url: unknown key"],
    [
      "a rate of zero",
      "notify:\n  - { type: desktop, rate_limit: 0, events: [all] }\n",
      "notify.0.rate_limit: expected a whole number of deliveries per minute from 1 to 600, got 0",
    ],
    [
      "two targets of one name",
      "notify:\n  - { type: desktop, name: me, events: [all] }\n  - { type: command, name: me, command: [x], events: [all] }\n",
      'notify.1.name: duplicate target name "me" (also notify.0)',
    ],
  ])("refuses %s, naming the field", (_what, yaml, message) => {
    const problems = problemsOf(`${AGENTS}${yaml}`);
    expect(problems.some((problem) => problem.startsWith(`swarm.yaml: ${message}`))).toBe(true);
  });

  it("reports every broken target at once, beside the other sections' problems", () => {
    const problems = problemsOf(`${AGENTS}notify:\n  - { type: email, events: [all] }\n  - { type: desktop, events: nope }\nretention: { completed: soon }\n`);
    expect(problems.map((p) => p.split(":")[1]?.trim())).toEqual(["retention.completed", "notify.0.type", "notify.1.events"]);
  });

  it("fills variables from the environment, and names the ones that are not set", () => {
    expect(expandVariables("https://h/${A}/${B}", { A: "x", B: "y" })).toEqual({ value: "https://h/x/y" });
    expect(expandVariables("Bearer ${TOKEN} ${TOKEN} ${EMPTY}", { EMPTY: "" })).toEqual({ missing: ["TOKEN", "EMPTY"] });
  });
});

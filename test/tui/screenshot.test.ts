import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { TestTerminal } from "./terminal.js";

/**
 * Makes the README's screenshot of the dashboard at work: a small swarm with
 * a few minutes of real tasks behind it (for the throughput chart) and some
 * running now. Slow (about four minutes), so it runs only when asked:
 *
 *   TUI_SCREENSHOT=1 npx vitest run test/tui/screenshot.test.ts
 *
 * It writes docs/tui-dashboard.txt (the text capture), docs/tui-dashboard.ansi
 * (the same with colours) and, when rsvg-convert is installed,
 * docs/tui-dashboard.png (scripts/render-screenshot.sh).
 */
const DOCS = resolve(import.meta.dirname, "../../docs");
const MINUTES = Number(process.env.TUI_SCREENSHOT_MINUTES ?? 4);

const yaml = (cwd: string) => `
agents:
  - { name: backend-api, runtime: shell, replicas: 2, cwd: ${cwd}, routes: [api, server] }
  - { name: frontend, runtime: shell, replicas: 2, cwd: ${cwd}, routes: [ui, css] }
  - { name: tests, runtime: shell, replicas: 1, cwd: ${cwd}, routes: [test] }
  - { name: db, runtime: shell, replicas: 1, cwd: ${cwd}, routes: [sql, migration] }
  - { name: docs, runtime: shell, replicas: 1, cwd: ${cwd}, routes: [docs] }
default_agent: backend-api
`;

const SCRIPTS: Record<string, string> = {
  "build.sh": `printf '\\033[1;34m▶ build\\033[0m backend-api (tsc, 214 files)\\n'
for m in auth users billing search notifications gateway webhooks; do
  printf '  \\033[32m✓\\033[0m src/%-14s \\033[2m%4d ms\\033[0m\\n' "$m" $((RANDOM % 400 + 80)); sleep 1.2
done
printf '\\033[33m⚠\\033[0m 2 warnings (unused imports)\\n\\033[1;32m✔ built in 9.1 s\\033[0m\\n'`,
  "ui.sh": `printf '\\033[36mvite\\033[0m v5.4 building for production...\\n'
for f in index Dashboard Settings Billing Login; do
  printf '  dist/assets/\\033[36m%-12s\\033[0m.js  \\033[1m%5.1f kB\\033[0m \\033[2m│ gzip: %4.1f kB\\033[0m\\n' "$f" "$((RANDOM % 900 + 40)).$((RANDOM % 9))" "$((RANDOM % 90 + 9)).$((RANDOM % 9))"; sleep 1.5
done`,
  "test.sh": `for s in auth users billing search gateway webhooks orders; do
  printf ' \\033[42;30m PASS \\033[0m src/%s.test.ts \\033[2m(%d tests)\\033[0m\\n' "$s" $((RANDOM % 30 + 3)); sleep 1.1
done`,
  "quick.sh": `echo "$1: ok"`,
};

describe.runIf(process.env.TUI_SCREENSHOT)("the README screenshot", () => {
  let swarm: TestSwarm;
  let term: TestTerminal;
  let project = "";

  afterAll(async () => {
    term?.close();
    await swarm?.destroy();
    if (project) rmSync(dirname(project), { recursive: true, force: true });
  });

  it(
    "captures the dashboard at work",
    async () => {
      // The panes' prompt shows the cwd's base name: call it "project".
      project = join(mkdtempSync(join(tmpdir(), "ss-")), "project");
      mkdirSync(project);
      for (const [name, body] of Object.entries(SCRIPTS)) {
        writeFileSync(join(project, name), `#!/usr/bin/env bash\n${body}\n`);
        chmodSync(join(project, name), 0o755);
      }
      swarm = await startTestSwarm(yaml(project));
      const client = await swarm.connect();

      // History for the throughput chart: a varying rate of short tasks over a few minutes.
      const agents = ["backend-api", "frontend", "tests", "db", "docs"];
      const deadline = Date.now() + MINUTES * 60_000;
      for (let tick = 0; Date.now() < deadline; tick++) {
        const burst = 2 + Math.round(3 + 3 * Math.sin(tick / 6));
        await Promise.all(
          Array.from({ length: burst }, (_, i) => client.submit({ task: `./quick.sh step-${tick}-${i}`, agent: agents[(tick + i) % agents.length] })),
        );
        await new Promise((r) => setTimeout(r, 2000));
      }
      await client.submit({ task: "./quick.sh flaky; exit 1", agent: "tests" });

      term = TestTerminal.start({ width: 160, height: 44 });
      term.run(`clear; ${term.dashboardCommand(swarm.home)}`);
      await term.waitFor(/7 sessions \(7 idle\)/, { timeoutMs: 20_000 });
      await work(client);
      await term.waitFor(/backend-api-1\s+shell\s+\S+\s+busy/, { timeoutMs: 10_000 });
      await new Promise((r) => setTimeout(r, 5500));

      const text = term.screen();
      const ansi = term.screen({ escapes: true });
      expect(text).toContain("pane · backend-api-1");
      mkdirSync(DOCS, { recursive: true });
      writeFileSync(join(DOCS, "tui-dashboard.txt"), text.replaceAll(swarm.home, "~/.claude-agent"));
      writeFileSync(join(DOCS, "tui-dashboard.ansi"), ansi.replaceAll(swarm.home, "~/.claude-agent"));
      try {
        execFileSync(
          "bash",
          [resolve(import.meta.dirname, "../../scripts/render-screenshot.sh"), join(DOCS, "tui-dashboard.ansi"), join(DOCS, "tui-dashboard.png")],
          { stdio: "inherit" },
        );
      } catch (error) {
        console.warn(`no PNG: ${(error as Error).message}`);
      }
    },
    (MINUTES + 3) * 60_000,
  );
});

/** Work in progress at the moment of the screenshot. */
async function work(client: Swarm): Promise<void> {
  await client.submit({ task: "./build.sh", agent: "backend-api" });
  await client.submit({ task: "./ui.sh", agent: "frontend" });
  await client.submit({ task: "./test.sh", agent: "tests" });
  for (const n of [1, 2, 3]) await client.submit({ task: `./quick.sh queued-${n}; sleep 20`, agent: "backend-api" });
}

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRedis, ensureHome, EventStream, redisTarget, type SwarmEvent, type TaskResult } from "../../core/index.js";
import { connect } from "../../client/index.js";
import { printJson } from "../context.js";
import { duration, table } from "../format.js";
import { DEMO_CONFIG, DEMO_TASKS } from "./demo-plan.js";
import { down } from "./down.js";
import { startDetached } from "./up.js";
import { print, printError } from "../output.js";

export interface DemoOptions {
  home?: string;
  keep?: boolean;
  json?: boolean;
}

/**
 * The README's main job: a real swarm of shell specialists in tmux, real
 * tasks (in parallel, one failing, one timing out), live progress, a table
 * of results, and a clean teardown unless --keep.
 */
export async function demo(options: DemoOptions): Promise<number> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), "ca-demo-"));
  const paths = ensureHome(home);
  const say = (line: string) => (options.json ? printError : print)(`${line}\n`);
  mkdirSync(join(home, "workspace"), { recursive: true });
  const configFile = join(home, "swarm.yaml");
  writeFileSync(configFile, DEMO_CONFIG);
  say(`demo: starting a swarm of 5 shell specialists (backend-api ×2, frontend-ui, database, testing, deployment) in ${home}`);
  const started = Date.now();
  await startDetached(paths, configFile);
  say(`demo: swarm ready in ${duration(Date.now() - started)}; sending ${DEMO_TASKS.length} tasks`);
  const swarm = await connect({ home });
  const blocking = createRedis(redisTarget(paths), { worker: true, name: "demo-progress" });
  let unexpected = 0;
  try {
    const stream = new EventStream(blocking, swarm.client.events.key);
    let cursor = await stream.lastId();
    const handles = await Promise.all(DEMO_TASKS.map((t) => swarm.submit({ task: t.task, agent: t.agent, timeout: t.timeout })));
    const labels = new Map(handles.map((h, i) => [h.id, DEMO_TASKS[i]!.label]));
    let finished = false;
    const done = Promise.all(handles.map((h) => h.result())).finally(() => (finished = true));
    while (!finished) {
      for (const event of await stream.read(cursor, 250)) {
        cursor = event.id;
        const line = progressLine(event, labels);
        if (line) say(line);
      }
    }
    const results: TaskResult[] = await done;
    unexpected = results.filter((r, i) => r.status !== DEMO_TASKS[i]!.expect).length;
    if (options.json) printJson({ home, kept: Boolean(options.keep), results });
    else {
      say("");
      say(
        table(
          ["TASK", "AGENT", "SESSION", "STATUS", "EXIT", "TIME", "OUTPUT"],
          results.map((r, i) => [
            r.id,
            r.agent,
            r.session ?? "-",
            r.status + (r.status === DEMO_TASKS[i]!.expect ? "" : " (unexpected)"),
            r.exitCode === null ? "-" : String(r.exitCode),
            duration(r.durationMs),
            firstLine(r.output),
          ]),
        ),
      );
      say("");
      if (options.keep) say(`full results: claude-agent --home ${home} result ID --json`);
    }
  } finally {
    blocking.disconnect();
    await swarm.close();
  }
  if (options.keep) {
    say(`the swarm keeps running. Watch an agent:  claude-agent --home ${home} attach backend-api`);
    say(`                         stop it:         claude-agent --home ${home} down`);
  } else {
    await down({ home, quiet: true });
    say("demo: swarm stopped (run `claude-agent demo --keep` to attach to the agents afterwards)");
  }
  if (unexpected > 0) {
    say(`demo: ${unexpected} task(s) did not end as expected`);
    return 1;
  }
  return 0;
}

function progressLine(event: SwarmEvent, labels: ReadonlyMap<string, string>): string | null {
  const label = event.taskId ? labels.get(event.taskId) : undefined;
  if (!label) return null;
  const where = (event.session ?? event.agent ?? "").padEnd(14);
  switch (event.type) {
    case "task.started":
      return `  ▶ ${where} ${label}`;
    case "task.completed":
      return `  ✓ ${where} ${label}`;
    case "task.failed":
      return `  ✗ ${where} ${label} (failed)`;
    case "task.timeout":
      return `  ⏱ ${where} ${label} (time limit reached, interrupted)`;
    case "task.cancelled":
      return `  ■ ${where} ${label} (cancelled)`;
    default:
      return null;
  }
}

function firstLine(output: string): string {
  const line = output.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.length > 50 ? `${line.slice(0, 49)}…` : line;
}

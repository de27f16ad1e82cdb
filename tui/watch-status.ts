import { homePaths, isClaudeAgentError, resolveHome, terminalLine, terminalText } from "../core/index.js";
import { connect, type Swarm } from "../client/index.js";
import { WorkflowClient } from "../workflows/index.js";
import { parseExecution } from "./sources/workflow-source.js";
import type { WorkflowView } from "./state.js";
import { clock } from "./views/text.js";
import { plainStatus } from "./views/plain-status.js";

export interface WatchOptions {
  readonly home?: string;
  readonly prefix?: string;
  /** Seconds between snapshots. */
  readonly intervalSec: number;
  /** Only this agent's sessions and queue. */
  readonly agent?: string;
  /** Stops the watch (besides SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  readonly out?: NodeJS.WriteStream;
}

/**
 * `claude-agent status --watch`: the dashboard's numbers as plain text. On a
 * terminal the screen is redrawn in place; into a pipe or a CI log, a block
 * is printed only when something other than the clock changed. When no swarm
 * runs it says so once and waits for one.
 */
export async function watchStatus(options: WatchOptions): Promise<void> {
  const out = options.out ?? process.stdout;
  const root = homePaths(resolveHome(options.home)).root;
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  options.signal?.addEventListener("abort", onSignal, { once: true });
  let swarm: Swarm | null = null;
  let previous = "";
  try {
    while (!stop.signal.aborted) {
      let body: string;
      // What must change for a pipe to get a new block: the body without the clock's part (uptimes, elapsed times, Redis' round trip).
      let steady: string;
      try {
        swarm ??= await connect({ home: root, prefix: options.prefix });
        const taken = await snapshot(swarm, out.isTTY ? out.columns || 100 : 120, options.agent);
        body = taken.lines.join("\n");
        steady = taken.steady.join("\n");
      } catch (error) {
        await swarm?.close().catch(() => undefined); // a broken link: connected anew on the next round
        swarm = null;
        const why = isClaudeAgentError(error) ? error.message : (error as Error).message;
        body = `${why}\nhome: ${root}\nwaiting for the swarm (start it with \`claude-agent up\`)…`;
        steady = body;
      }
      // Task text, agent names and workflow ids come from Redis: only printable text reaches the terminal.
      body = terminalText(body);
      if (out.isTTY) {
        const head = `${clock(Date.now())}  claude-agent status --watch (every ${options.intervalSec}s, Ctrl-C stops)`;
        out.write(`\x1b[H\x1b[2J${head.slice(0, out.columns || 100)}\n\n${body}\n`);
      } else if (steady !== previous) {
        out.write(`--- ${new Date().toISOString()} ---\n${body}\n`);
      }
      previous = steady;
      await sleep(options.intervalSec * 1000, stop.signal);
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await swarm?.close().catch(() => undefined); // the watch is ending: nothing left to tell
  }
}

async function snapshot(swarm: Swarm, width: number, agent: string | undefined): Promise<{ lines: string[]; steady: string[] }> {
  const started = performance.now();
  await swarm.client.ping();
  const redisMs = performance.now() - started;
  const full = await swarm.status();
  const agents = full.agents.filter((a) => !agent || a.name === agent);
  if (agent && agents.length === 0) {
    const lines = [`no agent named "${agent}" in this swarm (agents: ${full.agents.map((a) => a.name).join(", ")})`];
    return { lines, steady: lines };
  }
  const status = { ...full, agents, sessions: agents.flatMap((a) => a.sessions) };
  const running = status.sessions.map((s) => s.currentTask).filter((id): id is string => !!id);
  const texts = await swarm.client.storedTaskTexts(running);
  const taskTexts = new Map(
    running.map((id, i) => [
      id,
      terminalLine(texts[i] ?? "")
        .replace(/\s+/g, " ")
        .trim(),
    ]),
  );
  const docs = await new WorkflowClient(swarm.client).recentDocuments(50);
  const workflows = docs.map(parseExecution).filter((wf): wf is WorkflowView => wf !== null && wf.status === "running");
  const now = Date.now();
  return {
    lines: plainStatus({ status, taskTexts, workflows, redisMs }, width, now),
    steady: plainStatus({ status: steadyStatus(status), taskTexts, workflows, redisMs: 0 }, width, 0),
  };
}

/** The status without what only time changes: heartbeats are rewritten every 15 s by a healthy bridge. */
function steadyStatus<
  T extends { sessions: readonly { heartbeatAt: string | null }[]; agents: readonly { sessions: readonly { heartbeatAt: string | null }[] }[] },
>(status: T): T {
  const calm = <S extends { heartbeatAt: string | null }>(s: S): S => ({ ...s, heartbeatAt: null });
  return { ...status, sessions: status.sessions.map(calm), agents: status.agents.map((a) => ({ ...a, sessions: a.sessions.map(calm) })) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

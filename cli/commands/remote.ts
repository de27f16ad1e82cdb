/**
 * The commands that make sense on another machine, over the swarm's HTTP API
 * (`--url URL` or CLAUDE_AGENT_URL; the token from `--token`,
 * CLAUDE_AGENT_TOKEN, or this home's api.token). Same output and exit codes
 * as their local forms.
 */
import { print, printError } from "../output.js";
import { retriedLine } from "./retry.js";
import { readFileSync } from "node:fs";
import { RemoteControl } from "../../api/remote/index.js";
import { parseNeeds, UsageError, type TaskResult } from "../../core/index.js";
import { homeOf, printJson, type GlobalOptions } from "../context.js";
import { describeResult, exitCodeFor, table } from "../format.js";

export interface RemoteTarget {
  readonly url: string;
  readonly token: string;
}

/** The API to use, or null for the local swarm: `--url` wins over CLAUDE_AGENT_URL. */
export function remoteTarget(options: GlobalOptions & { url?: string; token?: string }): RemoteTarget | null {
  const url = options.url ?? process.env.CLAUDE_AGENT_URL;
  if (!url) return null;
  if (!/^https?:\/\/[^\s/]+/.test(url)) throw new UsageError(`--url: expected http(s)://host:port, got ${JSON.stringify(url)}`);
  let token = options.token ?? process.env.CLAUDE_AGENT_TOKEN;
  if (!token) {
    try {
      token = readFileSync(`${homeOf(options).root}/api.token`, "utf8").trim();
    } catch {
      throw new UsageError("--url needs a token: --token, CLAUDE_AGENT_TOKEN, or this home's api.token", {
        hint: "On the swarm's machine: claude-agent api token create --name NAME",
      });
    }
  }
  return { url, token };
}

const POLL_SEC = 60;

async function finalResult(control: RemoteControl, id: string): Promise<TaskResult> {
  for (;;) {
    const { task: _t, routedBy: _r, priority: _p, ...view } = await control.task(id, POLL_SEC);
    if (view.status !== "queued" && view.status !== "running") return view as TaskResult;
  }
}

export async function submit(
  target: RemoteTarget,
  options: {
    task?: string;
    taskFile?: string;
    agent?: string;
    wait?: boolean;
    timeout?: string;
    priority?: string;
    idempotencyKey?: string;
    fresh?: boolean;
    json?: boolean;
    plan?: boolean;
    gate?: string;
    commit?: boolean;
    needs?: string;
  },
): Promise<number> {
  if (options.plan) throw new UsageError("--plan is not available with --url; run it on the swarm's machine");
  const task = options.taskFile !== undefined ? readFileSync(options.taskFile === "-" ? 0 : options.taskFile, "utf8") : options.task;
  if (task === undefined) throw new UsageError("--task is required", { hint: 'claude-agent --url URL submit --task "npm test" [--agent testing] [--wait]' });
  const control = new RemoteControl(target);
  const number = (flag: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) <= 0) throw new UsageError(`${flag}: expected a positive whole number, got ${JSON.stringify(value)}`);
    return Number(value);
  };
  const submitted = await control.submit(
    {
      task,
      agent: options.agent,
      ...(options.needs !== undefined && { needs: parseNeeds(options.needs) }),
      timeout: number("--timeout", options.timeout),
      priority: number("--priority", options.priority),
      fresh: options.fresh,
      gate: options.gate,
      commit: options.commit,
    },
    options.idempotencyKey,
  );
  if (!options.wait) {
    if (options.json) printJson(submitted);
    else print(`${submitted.id}\n`);
    return 0;
  }
  if (!options.json) printError(`task ${submitted.id} → ${submitted.agent} (${submitted.routedBy})\n`);
  const result = await finalResult(control, submitted.id);
  if (options.json) printJson(result);
  else print(`${describeResult(result)}\n`);
  return exitCodeFor(result);
}

export async function result(target: RemoteTarget, id: string, options: { wait?: boolean; json?: boolean }): Promise<number> {
  const control = new RemoteControl(target);
  const outcome = options.wait ? await finalResult(control, id) : (({ task: _t, routedBy: _r, priority: _p, ...v }) => v as TaskResult)(await control.task(id));
  if (options.json) printJson(outcome);
  else print(`${describeResult(outcome)}\n`);
  return exitCodeFor(outcome);
}

export async function cancel(target: RemoteTarget, id: string, options: { json?: boolean }): Promise<void> {
  const outcome = await new RemoteControl(target).cancelTask(id);
  if (options.json) printJson(outcome);
  else print(outcome.cancelled ? `cancelling ${id} (${outcome.status})\n` : `${id} had already ended (${outcome.status})\n`);
}

export async function retry(target: RemoteTarget, id: string, options: { json?: boolean }): Promise<void> {
  const retried = await new RemoteControl(target).retryTask(id);
  if (options.json) return printJson({ retryOf: id, ...retried });
  print(retriedLine(id, retried));
}

export async function status(target: RemoteTarget, options: { agent?: string; json?: boolean }): Promise<void> {
  const snapshot = await new RemoteControl(target).status();
  const agents = snapshot.agents.filter((a) => !options.agent || a.name === options.agent);
  if (options.json) return printJson({ ...snapshot, agents, sessions: agents.flatMap((a) => a.sessions), api: { url: target.url } });
  print(`swarm: ${snapshot.daemon.alive ? `running (pid ${snapshot.daemon.pid})` : "NOT RUNNING (no heartbeat)"}\napi: ${target.url}\n\n`);
  const rows = agents.flatMap((a) =>
    a.sessions.map((s) => [s.name, a.runtime, a.paused ? "paused" : s.state, s.currentTask ?? "-", String(s.completed), String(s.failed), String(s.restarts)]),
  );
  print(`${table(["SESSION", "RUNTIME", "STATE", "TASK", "DONE", "FAILED", "RESTARTS"], rows)}\n\n`);
  const queues = agents.map((a) => [
    a.name,
    String(a.queue.waiting),
    String(a.queue.active),
    String(a.queue.delayed),
    String(a.queue.completed),
    String(a.queue.failed),
  ]);
  print(`${table(["QUEUE", "WAITING", "ACTIVE", "DELAYED", "COMPLETED", "FAILED"], queues)}\n`);
}

export async function approve(target: RemoteTarget, id: string, step: string, options: { json?: boolean }): Promise<void> {
  const state = await new RemoteControl(target).approve(id, step);
  if (options.json) printJson(state);
  else print(`approved ${step} of ${id} (${state.status})\n`);
}

export async function reject(target: RemoteTarget, id: string, step: string, options: { json?: boolean; reason?: string }): Promise<void> {
  const state = await new RemoteControl(target).reject(id, step, options.reason);
  if (options.json) printJson(state);
  else print(`rejected ${step} of ${id} (${state.status})\n`);
}

export async function mcp(target: RemoteTarget): Promise<void> {
  const { serveMcpStdio } = await import("../../api/index.js");
  await serveMcpStdio(new RemoteControl(target));
}

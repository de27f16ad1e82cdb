/**
 * What the API tests share: a real swarm (redis-server, tmux, the built
 * daemon) whose API listens on a free loopback port, the first token `up`
 * wrote, and a small fetch wrapper that returns status, headers and the
 * parsed body.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

export const API_AGENTS = `
agents:
  - name: alpha
    runtime: shell
    replicas: 2
    routes: [api]
    timeout: 60
  - name: beta
    runtime: shell
    replicas: 1
    routes: [test]
    timeout: 60
default_agent: alpha
`;

export interface ApiSwarm {
  readonly swarm: TestSwarm;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The first token (every scope), from `$HOME/api.token`. */
  readonly token: string;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
}

export interface CallOptions {
  /** Serialised as JSON unless it is a string or a Buffer (sent as is). */
  readonly body?: unknown;
  /** Defaults to the first token; null sends none. */
  readonly token?: string | null;
  readonly headers?: Record<string, string>;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

export async function startApiSwarm(extraYaml = "api:\n  listen: 127.0.0.1:0\n", agents = API_AGENTS, env: NodeJS.ProcessEnv = {}): Promise<ApiSwarm> {
  const swarm = await startTestSwarm(`${agents}\n${extraYaml}`, { env });
  const run = JSON.parse(readFileSync(join(swarm.paths.runDir, "api.json"), "utf8")) as { url: string };
  const token = readFileSync(join(swarm.home, "api.token"), "utf8").trim();
  return { swarm, url: run.url, token, call: (method, path, options = {}) => call(run.url, token, method, path, options) };
}

export async function call(url: string, defaultToken: string | null, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const token = options.token === undefined ? defaultToken : options.token;
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers };
  let body: string | Uint8Array | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : Buffer.isBuffer(options.body) ? new Uint8Array(options.body) : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(`${url}${path}`, { method, headers, body: body as string | undefined });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (the docs page, metrics)
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function until<T>(what: string, probe: () => Promise<T | null | false> | T | null | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

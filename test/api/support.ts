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

/**
 * Many requests at once over a bounded pool of keep-alive connections (as a
 * real client library does): every request is in flight together, but the
 * listen backlog is not flooded with thousands of simultaneous connects.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function callMany(
  url: string,
  token: string,
  requests: readonly { method: string; path: string; body?: unknown; headers?: Record<string, string> }[],
  sockets = 64,
): Promise<{ status: number; json: any; text: string }[]> {
  const { Agent, request } = await import("node:http");
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const target = new URL(url);
  try {
    return await Promise.all(
      requests.map(
        (r) =>
          new Promise<{ status: number; json: any; text: string }>((resolve, reject) => {
            const body = r.body === undefined ? undefined : JSON.stringify(r.body);
            const req = request(
              {
                agent,
                host: target.hostname,
                port: target.port,
                method: r.method,
                path: r.path,
                headers: {
                  authorization: `Bearer ${token}`,
                  ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}),
                  ...r.headers,
                },
              },
              (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                  const text = Buffer.concat(chunks).toString();
                  let json: any = null;
                  try {
                    json = JSON.parse(text);
                  } catch {
                    // not JSON
                  }
                  resolve({ status: res.statusCode ?? 0, json, text });
                });
              },
            );
            req.on("error", reject);
            req.end(body);
          }),
      ),
    );
  } finally {
    agent.destroy();
  }
}

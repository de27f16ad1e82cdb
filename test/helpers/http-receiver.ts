/** A webhook receiver on loopback (node:http): records every request, answers each with the next status of a script. */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The request's response, left open for a path scripted to `hang`. */
  readonly response: ServerResponse;
}

/** What a path answers, request by request (the last one repeats); `hang` never answers. */
export type Script = readonly (number | "hang")[];

export interface HttpReceiver {
  /** `http://127.0.0.1:PORT`. */
  readonly base: string;
  readonly got: ReceivedRequest[];
  /** The requests to one path, in order. */
  to(path: string): ReceivedRequest[];
  close(): Promise<void>;
}

/** `scripts` by path; a path without one answers 200. */
export async function httpReceiver(scripts: Readonly<Record<string, Script>> = {}): Promise<HttpReceiver> {
  const got: ReceivedRequest[] = [];
  const served = new Map<string, number>();
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    request.on("end", () => {
      const path = request.url ?? "/";
      got.push({ path, headers: request.headers, body, response });
      const script = scripts[path] ?? [200];
      const n = served.get(path) ?? 0;
      served.set(path, n + 1);
      const status = script[Math.min(n, script.length - 1)]!;
      if (status === "hang") return;
      response.writeHead(status, status >= 300 && status < 400 ? { location: "http://127.0.0.1:1/elsewhere" } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    to: (path) => got.filter((request) => request.path === path),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

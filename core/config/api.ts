/**
 * `api:` in swarm.yaml: where the daemon's HTTP API listens, its TLS files,
 * who may read /metrics, the per-token rate limit, the browser origins
 * allowed to open the WebSocket, and the CA that other hosts' APIs are
 * verified against (`peer_ca`, the web terminal's relay). `api: false` turns
 * the API off. Binding anywhere but loopback needs TLS or the loudly named
 * `insecure_bind: true`.
 */
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { expectedMessage } from "./schema.js";
import { DEFAULT_API, type ApiConfig } from "./types.js";

const LISTEN = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

/** `host:port` (`[::1]:7433` for IPv6), or null when it is not one. */
export function parseListen(value: unknown): { host: string; port: number } | null {
  if (typeof value !== "string") return null;
  const match = LISTEN.exec(value.trim());
  if (!match) return null;
  const port = Number(match[3]);
  if (!Number.isInteger(port) || port > 65_535) return null;
  return { host: match[1] ?? match[2]!, port };
}

/** Loopback addresses only: `localhost` could resolve elsewhere through /etc/hosts, but that is the owner's own file. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127(?:\.\d{1,3}){3}$/.test(host);
}

const LISTEN_EXPECTED = 'host:port such as "127.0.0.1:7433" (port 0 picks a free one)';
const ORIGIN_EXPECTED = 'an origin such as "https://dash.example.com"';

const rawApiObject = z
  .object(
    {
      listen: z
        .custom<string>(
          (v) => parseListen(v) !== null,
          (v) => ({ message: expectedMessage(LISTEN_EXPECTED, v) }),
        )
        .optional(),
      tls: z
        .object(
          { cert: z.string().min(1), key: z.string().min(1) },
          { errorMap: (_i, ctx) => ({ message: expectedMessage("a mapping with `cert` and `key` file paths", ctx.data) }) },
        )
        .strict()
        .optional(),
      insecure_bind: z.boolean({ errorMap: (_i, ctx) => ({ message: expectedMessage("true or false", ctx.data) }) }).optional(),
      metrics: z.enum(["token", "public"], { errorMap: (_i, ctx) => ({ message: expectedMessage('"token" or "public"', ctx.data) }) }).optional(),
      rate_limit: z
        .number({ errorMap: (_i, ctx) => ({ message: expectedMessage("a positive number of requests per minute", ctx.data) }) })
        .int()
        .positive()
        .optional(),
      allowed_origins: z
        .array(
          z.custom<string>(
            (v) => isOrigin(v),
            (v) => ({ message: expectedMessage(ORIGIN_EXPECTED, v) }),
          ),
          { errorMap: (_i, ctx) => ({ message: expectedMessage("a list of origins", ctx.data) }) },
        )
        .optional(),
      peer_ca: z
        .string({ errorMap: (_i, ctx) => ({ message: expectedMessage("a PEM file of the CA that signed other hosts' API certificates", ctx.data) }) })
        .min(1)
        .optional(),
    },
    { errorMap: (_i, ctx) => ({ message: expectedMessage("false or a mapping with `listen`, `tls`, `metrics`, …", ctx.data) }) },
  )
  .strict();

export type RawApi = false | z.infer<typeof rawApiObject>;

/** `api: false`, or the mapping checked field by field (a union would report only "invalid input"). */
export const rawApiSchema = {
  safeParse(value: unknown): z.SafeParseReturnType<unknown, RawApi | undefined> {
    if (value === false || value === undefined) return { success: true, data: value };
    return rawApiObject.safeParse(value);
  },
};

function isOrigin(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value.replace(/\/$/, "");
  } catch {
    return false;
  }
}

/** A non-loopback bind without TLS must be asked for by name; public metrics only on loopback. */
export function apiProblems(raw: unknown): string[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return [];
  const section = raw as Record<string, unknown>;
  const listen = section.listen === undefined ? DEFAULT_API.listen : parseListen(section.listen);
  if (listen === null || isLoopback(listen.host)) return [];
  const problems: string[] = [];
  if (section.tls === undefined && section.insecure_bind !== true) {
    problems.push(
      `api.listen: ${listen.host} is not a loopback address; add api.tls { cert, key }, or set api.insecure_bind: true to serve tokens in clear text on the network`,
    );
  }
  if (section.metrics === "public") problems.push('api.metrics: public metrics are only allowed on a loopback address; use "token"');
  return problems;
}

export function normalizeApi(raw: RawApi | undefined, baseDir: string): ApiConfig {
  if (raw === false) return Object.freeze({ ...DEFAULT_API, enabled: false });
  if (raw === undefined) return DEFAULT_API;
  const file = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));
  return Object.freeze({
    enabled: true,
    listen: raw.listen === undefined ? DEFAULT_API.listen : parseListen(raw.listen)!,
    listenExplicit: raw.listen !== undefined,
    tls: raw.tls ? Object.freeze({ cert: file(raw.tls.cert), key: file(raw.tls.key) }) : null,
    insecureBind: raw.insecure_bind ?? false,
    metrics: raw.metrics ?? "token",
    rateLimitPerMinute: raw.rate_limit ?? DEFAULT_API.rateLimitPerMinute,
    allowedOrigins: Object.freeze((raw.allowed_origins ?? []).map((origin) => origin.replace(/\/$/, ""))),
    peerCa: raw.peer_ca === undefined ? null : file(raw.peer_ca),
  });
}

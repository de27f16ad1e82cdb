/**
 * The Fastify application: JSON parsing, authentication, scopes, rate
 * limits, CORS, validation, problem documents, metrics and the audit record
 * around every route of the table. Building it needs no socket
 * (`app.inject()` serves tests); ApiServer (listen.ts) binds it.
 */
import rateLimit from "@fastify/rate-limit";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { TokenInfo } from "./auth/tokens.js";
import { serveWebSocket } from "./events/ws.js";
import { registerJsonParser } from "./http/json-body.js";
import { openApiDocument } from "./http/openapi.js";
import { HttpProblem, problems, toProblem } from "./http/problem.js";
import { Answer, type AnyRoute } from "./http/route.js";
import { validatePart } from "./http/validate.js";
import { agentRoutes } from "./routes/agents.js";
import type { ApiDeps } from "./routes/deps.js";
import { eventRoutes } from "./routes/events.js";
import { metaRoutes } from "./routes/meta.js";
import { systemRoutes } from "./routes/system.js";
import { historyRoutes } from "./routes/history.js";
import { recordingRoutes } from "./routes/recordings.js";
import { diffRoutes } from "./routes/diffs.js";
import { taskRoutes } from "./routes/tasks.js";
import { workflowRoutes } from "./routes/workflows.js";
import { clientInternals } from "../client/index.js";

declare module "fastify" {
  interface FastifyRequest {
    token: TokenInfo | null;
  }
  interface FastifyContextConfig {
    spec?: AnyRoute;
  }
}

/** Request bodies above this are refused with 413 before they are parsed: a task is at most 1 MiB, a workflow 512 KiB. */
export const BODY_LIMIT = 2 * 1024 * 1024;
const VERSION = "0.1.0";

export interface BuildOptions {
  readonly deps: ApiDeps;
  /** Extra routes served and documented like the others (the MCP endpoint). */
  readonly extraRoutes?: (deps: ApiDeps) => AnyRoute[];
  readonly https?: { cert: Buffer; key: Buffer };
  readonly onError?: (error: unknown, request: FastifyRequest) => void;
  /** A second way in for routes with a scope: the web dashboard's session cookie. */
  readonly cookieAuth?: (request: FastifyRequest) => Promise<TokenInfo | null>;
}

export interface BuiltApp {
  readonly app: FastifyInstance;
  /** The route table the document is built from. */
  readonly routes: AnyRoute[];
  /** What Fastify actually serves (its onRoute hook): a test holds the document to it. */
  readonly served: { method: string; url: string }[];
}

export async function buildApp(options: BuildOptions): Promise<BuiltApp> {
  const { deps } = options;
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    forceCloseConnections: true,
    return503OnClosing: true,
    // HEAD twins of every GET would be served routes missing from the document.
    exposeHeadRoutes: false,
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;
  app.decorateRequest("token", null);
  const served: { method: string; url: string }[] = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) served.push({ method, url: route.url });
  });
  registerJsonParser(app);
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(rateLimit, {
    global: true,
    max: deps.api.rateLimitPerMinute,
    timeWindow: 60_000,
    hook: "preHandler",
    keyGenerator: (request) => (request.token ? `token:${request.token.id}` : `ip:${request.ip}`),
    allowList: (request) => request.routeOptions.config.spec?.unlimited === true,
    errorResponseBuilder: (_request, context) => {
      const problem = new HttpProblem(429, "Too many requests", `this token's limit is ${context.max} requests a minute`, undefined, {
        "retry-after": String(Math.ceil(context.ttl / 1000)),
      });
      return Object.assign(problem, { statusCode: 429 });
    },
  });

  const routes: AnyRoute[] = [];
  let document: Record<string, unknown> | null = null;
  const documentOf = () => (document ??= openApiDocument(routes, VERSION));
  routes.push(
    ...taskRoutes(deps),
    ...recordingRoutes(deps),
    ...diffRoutes(deps),
    ...historyRoutes(deps),
    ...agentRoutes(deps),
    ...workflowRoutes(deps),
    ...eventRoutes(deps),
    ...systemRoutes(deps),
    ...metaRoutes(deps, documentOf),
    ...(options.extraRoutes?.(deps) ?? []),
  );

  app.addHook("onRequest", async (request, reply) => {
    applyCors(request, reply, deps.api.allowedOrigins);
    const spec = request.routeOptions.config.spec;
    if (!spec || spec.scope === null) return;
    const token = (await bearer(request, deps)) ?? (await options.cookieAuth?.(request)) ?? null;
    if (!token) throw problems.unauthorized();
    if (!token.scopes.includes(spec.scope)) throw problems.forbidden(spec.scope);
    request.token = token;
    if (spec.websocket && !originAllowed(request, deps.api.allowedOrigins))
      throw new HttpProblem(403, "Forbidden", "this Origin may not open the event stream");
  });

  app.addHook("onResponse", async (request, reply) => {
    const spec = request.routeOptions.config.spec;
    const route = spec?.url ?? "unmatched";
    deps.metrics.request(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    if (spec?.mutation && request.token) {
      const params = (request.params ?? {}) as Record<string, string>;
      const target = params.id ?? params.name ?? (reply.getHeader("location") as string | undefined)?.split("/").pop();
      void deps.control.client.events
        .publish("audit", { actor: request.token.name, via: "api", interface: "api", action: spec.operationId, target, code: String(reply.statusCode) })
        .catch((error: unknown) => deps.log("api.audit-failed", { action: spec.operationId, actor: request.token?.name, error }));
    }
  });

  app.setErrorHandler(async (error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500 && problem.status !== 503) options.onError?.(error, request);
    await sendProblem(reply, problem);
  });
  app.setNotFoundHandler(async (request, reply) => {
    if (request.method === "OPTIONS" && reply.hasHeader("access-control-allow-origin")) return reply.code(204).send();
    await sendProblem(reply, problems.notFound(`no route ${request.method} ${request.url.split("?")[0]}`));
  });

  for (const spec of routes) {
    if (spec.websocket) {
      app.route({
        method: "GET",
        url: spec.url,
        config: { spec },
        handler: async (_request, reply) => sendProblem(reply, new HttpProblem(426, "Upgrade required", "open a WebSocket")),
        wsHandler: (socket, request) => {
          validatePart(spec.query, request.query, "query");
          if (spec.socket) return spec.socket(socket, request);
          serveWebSocket(socket, deps.hub, deps.streams, deps.metrics.sse);
        },
      });
      continue;
    }
    app.route({
      method: spec.method,
      url: spec.url,
      config: { spec },
      handler: async (request, reply) => {
        const params = validatePart(spec.params, request.params, "path");
        const query = validatePart(spec.query, request.query, "query");
        const body = validatePart(spec.body, request.body, "body");
        if (spec.mutation && clientInternals(deps.control.client).redis.status !== "ready")
          throw problems.unavailable("the swarm's Redis cannot be reached; nothing was accepted");
        const result = await spec.handler({ body, query, params, request, reply, token: request.token });
        if (spec.raw) return reply;
        if (result instanceof Answer) return reply.code(result.status).headers(result.headers).send(result.body);
        return reply.send(result);
      },
    });
  }
  return { app, routes, served };
}

async function bearer(request: FastifyRequest, deps: ApiDeps): Promise<TokenInfo | null> {
  const header = request.headers.authorization;
  if (typeof header !== "string") return null;
  const match = /^Bearer ([!-~]{1,200})$/.exec(header.trim());
  return match ? deps.tokens.verify(match[1]!) : null;
}

async function sendProblem(reply: FastifyReply, problem: HttpProblem): Promise<void> {
  await reply.code(problem.status).headers(problem.headers).type("application/problem+json").send(JSON.stringify(problem.body()));
}

/** The API's own origin (a page it served) and the configured ones; a request with no Origin is not a browser's. */
function originAllowed(request: FastifyRequest, allowed: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const own = `${request.protocol}://${request.headers.host ?? ""}`;
  return origin === own || allowed.includes(origin);
}

/** CORS is closed unless api.allowed_origins names the page's origin. */
function applyCors(request: FastifyRequest, reply: FastifyReply, allowed: readonly string[]): void {
  const origin = request.headers.origin;
  if (origin === undefined || !allowed.includes(origin)) return;
  reply.header("access-control-allow-origin", origin).header("vary", "Origin");
  if (request.method === "OPTIONS") {
    reply
      .header("access-control-allow-methods", "GET, POST, DELETE")
      .header("access-control-allow-headers", "authorization, content-type, idempotency-key, last-event-id")
      .header("access-control-max-age", "600");
  }
}

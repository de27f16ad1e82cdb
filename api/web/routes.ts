/**
 * The web dashboard's routes, declared and documented like every other:
 * the page and its assets (no token: they hold nothing of the swarm's), the
 * login that exchanges a one-time code for a session cookie, the session's
 * CSRF token, logout, and the live terminal socket (the `terminal` scope).
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod/v4";
import type { SwarmConfig } from "../../core/index.js";
import { HttpProblem, problems } from "../http/problem.js";
import { Answer, route, type AnyRoute } from "../http/route.js";
import type { ApiDeps } from "../routes/deps.js";
import { sessionParams } from "../schemas/agents.js";
import type { WebAssets } from "./assets.js";
import type { CookieAuth } from "./cookie-auth.js";
import type { LoginCodes } from "./login-codes.js";
import type { RelayGrant } from "./relay-tickets.js";
import type { TerminalViewers } from "./terminal.js";
import { SESSION_TTL_S } from "./web-sessions.js";

export interface WebDeps {
  readonly assets: WebAssets;
  readonly codes: LoginCodes;
  readonly auth: CookieAuth;
  readonly terminals: TerminalViewers;
  /** The relay ticket a request was let in with (another host's daemon relaying a browser of its own); null: none. */
  readonly relayed: (request: FastifyRequest) => RelayGrant | null;
}

/** No script but our own files, nothing framed, nothing fetched from elsewhere. xterm.js themes its rows with a <style> element, hence 'unsafe-inline' for styles only. */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const loginBody = z.object({ code: z.string().max(64) }).strict();
const sessionInfo = z.object({
  actor: z.string(),
  scopes: z.array(z.string()),
  csrf: z.string().describe("send it back as X-CSRF-Token on every request that is not a GET"),
  createdAt: z.string(),
});
const assetParams = z.object({ file: z.string().max(200) }).strict();

export function webRoutes(deps: ApiDeps, web: WebDeps): AnyRoute[] {
  const sessionNames = new Set(agentSessions(deps.swarm));
  return [
    route({
      method: "GET",
      url: "/",
      operationId: "webPage",
      summary: "The web dashboard (no token: the page asks for a login code)",
      tag: "web",
      scope: null,
      raw: true,
      responses: { 200: { description: "the page", contentType: "text/html" }, 503: { description: "the page was not built (npm run build)" } },
      async handler({ reply }) {
        if (!web.assets.index) throw new HttpProblem(503, "Not built", `the web dashboard is not built in ${web.assets.dir}; run npm run build`);
        await reply
          .code(200)
          .headers({ ...PAGE_HEADERS, "cache-control": "no-cache" })
          .type("text/html; charset=utf-8")
          .send(web.assets.index);
      },
    }),
    route({
      method: "GET",
      url: "/assets/:file",
      operationId: "webAsset",
      summary: "A content-hashed file of the page, cached for a year",
      tag: "web",
      scope: null,
      raw: true,
      params: assetParams,
      responses: { 200: { description: "the file", contentType: "application/octet-stream" }, 404: { description: "no such file" } },
      async handler({ params, reply }) {
        const asset = web.assets.asset(params.file);
        if (!asset) throw problems.notFound(`no asset ${params.file}`);
        await reply
          .code(200)
          .headers({ "cache-control": "public, max-age=31536000, immutable", "x-content-type-options": "nosniff" })
          .type(asset.type)
          .send(asset.body);
      },
    }),
    route({
      method: "POST",
      url: "/web/login",
      operationId: "webLogin",
      summary: "Exchange a one-time login code (claude-agent web) for a session cookie",
      description:
        "The code works once and for 2 minutes. The cookie is HttpOnly and SameSite=Strict (Secure with TLS), carries the code's scopes and lasts 12 hours.",
      tag: "web",
      scope: null,
      body: loginBody,
      responses: {
        200: { description: "logged in; the cookie is set", schema: sessionInfo },
        401: { description: "unknown, expired or used code" },
        403: { description: "a request from another origin" },
      },
      async handler({ body, request, reply }) {
        web.auth.checkOrigin(request);
        const grant = await web.codes.consume(body.code);
        if (!grant) throw new HttpProblem(401, "Unauthorized", "this login code is unknown, expired or already used; run `claude-agent web` for a new one");
        const { cookie, session } = await web.auth.sessions.create(grant);
        web.auth.setCookie(request, reply, cookie, SESSION_TTL_S);
        void deps.control.client.events
          .publish("audit", { actor: `web:${grant.actor}`, via: "api", interface: "api", action: "webLogin", target: grant.scopes.join(","), code: "200" })
          .catch((error: unknown) => deps.log("api.audit-failed", { action: "webLogin", actor: `web:${grant.actor}`, error }));
        return new Answer(
          200,
          { actor: session.actor, scopes: session.scopes, csrf: session.csrf, createdAt: session.createdAt },
          { "cache-control": "no-store" },
        );
      },
    }),
    route({
      method: "GET",
      url: "/web/session",
      operationId: "webSession",
      summary: "The browser's session: who, its scopes and its CSRF token",
      tag: "web",
      scope: null,
      responses: { 200: { description: "the session", schema: sessionInfo }, 401: { description: "not logged in" } },
      async handler({ request }) {
        const found = await web.auth.session(request);
        if (!found) throw new HttpProblem(401, "Unauthorized", "not logged in");
        const { session } = found;
        return new Answer(
          200,
          { actor: session.actor, scopes: session.scopes, csrf: session.csrf, createdAt: session.createdAt },
          { "cache-control": "no-store" },
        );
      },
    }),
    route({
      method: "POST",
      url: "/web/logout",
      operationId: "webLogout",
      summary: "End the browser's session",
      tag: "web",
      scope: null,
      responses: { 204: { description: "logged out" } },
      async handler({ request, reply }) {
        const found = await web.auth.session(request);
        if (found) await web.auth.sessions.delete(found.cookie);
        web.auth.setCookie(request, reply, "", 0);
        return new Answer(204, undefined);
      },
    }),
    route({
      method: "GET",
      url: "/v1/sessions/:name/terminal",
      operationId: "sessionTerminal",
      summary: "A session's live terminal over a WebSocket: read-only, or taken over with ?mode=write",
      description:
        'A first text frame `{"type":"hello","cols":…,"rows":…,"mode":"read"|"write"}`, then the terminal\'s bytes as binary frames, as tmux draws them, and text frames `{"type":"takeover","by":…,"since":…}` / `{"type":"handback","by":…}` when a person takes the session over or hands it back. Read-only (the default): nothing sent by the client reaches the pane. `?mode=write` takes the session over: what the client sends is typed into the pane, the bridge gives the session no new task until the socket closes (which hands it back), every viewer is told; one person at a time (4009 while another has it). A session of another host of the swarm is reached through that host\'s daemon when it publishes its API\'s URL (this endpoint there, opened with a one-time relay ticket in the `X-Claude-Agent-Relay` header that only daemons of the swarm can mint), otherwise, or when that fails, over the host\'s `ssh:` target, as `attach` reaches it. Closed with 4004 for an unknown session, or one that cannot be reached, with the reason.',
      tag: "web",
      scope: "terminal",
      websocket: true,
      raw: true,
      params: sessionParams,
      responses: { 101: { description: "switching to the WebSocket protocol" }, 403: { description: "Origin not allowed" } },
      socket(socket, request) {
        const parsed = sessionParams.safeParse(request.params);
        const name = parsed.success ? parsed.data.name : "";
        if (!sessionNames.has(name)) return socket.close(4004, "no such session");
        const write = (request.query as { mode?: unknown }).mode === "write";
        const actor = request.token?.name ?? "unknown";
        const localOnly = web.relayed(request) !== null;
        void web.terminals.attach(socket, name, write ? actor : null, { actor, localOnly }).catch(() => socket.close(1011, "cannot attach"));
      },
      async handler() {
        return undefined;
      },
    }),
  ];
}

function agentSessions(swarm: SwarmConfig): string[] {
  return swarm.agents.flatMap((agent) => Array.from({ length: agent.replicas }, (_, i) => `${agent.name}-${i + 1}`));
}

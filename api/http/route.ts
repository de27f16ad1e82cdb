/**
 * A route is declared once, with zod schemas for its path params, query and
 * body and a description of its responses. The same declaration validates
 * each request at the edge (validate.ts), registers the Fastify handler
 * (server.ts) and becomes the route's entry in the OpenAPI document
 * (openapi.ts): the document cannot drift from what is served.
 */
import type { WebSocket } from "@fastify/websocket";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod/v4";
import type { TokenInfo } from "../auth/tokens.js";

export const SCOPES = ["read", "submit", "control", "terminal"] as const;
export type Scope = (typeof SCOPES)[number];

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Default `application/json`; errors are always `application/problem+json`. */
  readonly contentType?: string;
}

export interface RouteInput<B, Q, P> {
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  /** The caller's token; null on public routes. */
  readonly token: TokenInfo | null;
}

/** What a JSON handler answers: a body with status 200, or a status, headers and body. */
export class Answer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

export interface RouteSpec<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType> {
  readonly method: "GET" | "POST" | "DELETE";
  /** Fastify syntax: `/v1/tasks/:id`. */
  readonly url: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** The scope a token needs; null: no token (health, the document, the docs page). */
  readonly scope: Scope | null;
  readonly body?: B;
  readonly query?: Q;
  readonly params?: P;
  /** Request headers worth documenting (Idempotency-Key, Last-Event-ID). */
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly schema: z.ZodType }>>;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** The handler writes the reply itself (SSE, MCP); `websocket`: a WebSocket upgrade. */
  readonly raw?: boolean;
  readonly websocket?: boolean;
  /** A WebSocket route's own handler (default: the event stream). */
  readonly socket?: (socket: WebSocket, request: FastifyRequest) => void;
  /** Changes the swarm: recorded on the event stream with the token's name. */
  readonly mutation?: boolean;
  /** Not rate limited (health checks poll it). */
  readonly unlimited?: boolean;
  handler(input: RouteInput<z.infer<B>, z.infer<Q>, z.infer<P>>): Promise<unknown>;
}

/** Erases a route's type parameters so routes of different shapes sit in one list. */
export type AnyRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

export function route<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType>(spec: RouteSpec<B, Q, P>): AnyRoute {
  return spec as unknown as AnyRoute;
}

/** `/v1/tasks/:id` → `/v1/tasks/{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

/**
 * The OpenAPI 3.1 document, built from the route table: paths, parameters
 * and bodies are the routes' own zod schemas converted to JSON Schema
 * (draft 2020-12, the dialect of OpenAPI 3.1). Nothing here is written by
 * hand but the titles.
 */
import { z } from "zod/v4";
import { openApiPath, type AnyRoute } from "./route.js";
import { problem } from "../schemas/common.js";

const PROBLEM = { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } };

export function openApiDocument(routes: readonly AnyRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const path = openApiPath(spec.url);
    paths[path] ??= {};
    paths[path][spec.method.toLowerCase()] = operation(spec);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "claude-agent control plane",
      version,
      description: "The HTTP API of a claude-agent swarm: tasks, agents, workflows, live events, health and metrics. Tokens: `claude-agent api token create`.",
    },
    servers: [{ url: "/" }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "an API token (`cat_…`); scopes: read, submit, control, terminal" } },
      schemas: { Problem: jsonSchema(problem) },
    },
  };
}

function operation(spec: AnyRoute): Record<string, unknown> {
  const parameters = [
    ...objectParameters(spec.params, "path"),
    ...objectParameters(spec.query, "query"),
    ...Object.entries(spec.headers ?? {}).map(([name, header]) => ({
      name,
      in: "header",
      required: false,
      description: header.description,
      schema: jsonSchema(header.schema),
    })),
  ];
  const responses: Record<string, unknown> = {};
  for (const [code, response] of Object.entries(spec.responses)) {
    const status = Number(code);
    const contentType = response.contentType ?? (status >= 400 ? "application/problem+json" : "application/json");
    responses[code] = {
      description: response.description,
      ...(response.schema
        ? { content: { [contentType]: { schema: jsonSchema(response.schema) } } }
        : status >= 400
          ? { content: PROBLEM }
          : response.contentType
            ? { content: { [contentType]: {} } }
            : {}),
    };
  }
  if (spec.body || spec.query || spec.params || spec.headers)
    responses["400"] ??= { description: "invalid request: `errors` names every bad field by its JSON pointer", content: PROBLEM };
  if (spec.scope !== null) {
    responses["401"] ??= { description: "missing, unknown or revoked token", content: PROBLEM };
    responses["403"] ??= { description: `the token lacks the "${spec.scope}" scope`, content: PROBLEM };
    responses["429"] ??= { description: "rate limit of this token reached; see Retry-After", content: PROBLEM };
  }
  if (spec.mutation) responses["503"] ??= { description: "Redis cannot be reached: nothing was accepted; retry after Retry-After", content: PROBLEM };
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    ...(spec.scope === null ? { security: [] } : { security: [{ bearer: [] }], "x-scope": spec.scope }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body
      ? { requestBody: { required: !spec.body.safeParse(undefined).success, content: { "application/json": { schema: jsonSchema(spec.body) } } } }
      : {}),
    responses,
  };
}

function objectParameters(schema: z.ZodType | undefined, where: "path" | "query"): Record<string, unknown>[] {
  if (!schema) return [];
  const json = jsonSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: where, required: where === "path" || (json.required ?? []).includes(name), ...(description ? { description } : {}), schema: rest };
  });
}

export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

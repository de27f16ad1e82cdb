import { z } from "zod/v4";
import { docsPage } from "../http/docs-page.js";
import { route, type AnyRoute } from "../http/route.js";
import type { ApiDeps } from "./deps.js";

/** The document, the docs page and /metrics. `all` is the full route table (these included), read when first asked. */
export function metaRoutes(deps: ApiDeps, document: () => Record<string, unknown>): AnyRoute[] {
  let page: string | null = null;
  return [
    route({
      method: "GET",
      url: "/openapi.json",
      operationId: "openApiDocument",
      summary: "This API's OpenAPI 3.1 document, generated from the route schemas",
      tag: "meta",
      scope: null,
      responses: { 200: { description: "the document", schema: z.record(z.string(), z.unknown()) } },
      handler: async () => document(),
    }),
    route({
      method: "GET",
      url: "/docs",
      operationId: "docsPage",
      summary: "A browsable reference of this API (served locally, no scripts)",
      tag: "meta",
      scope: null,
      raw: true,
      responses: { 200: { description: "an HTML page", contentType: "text/html" } },
      async handler({ reply }) {
        page ??= docsPage(document());
        await reply
          .type("text/html; charset=utf-8")
          .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
          .header("x-content-type-options", "nosniff")
          .send(page);
      },
    }),
    route({
      method: "GET",
      url: "/metrics",
      operationId: "metrics",
      summary: "Prometheus metrics (text format)",
      description: "Needs a token with the read scope, unless `api.metrics: public` (loopback only).",
      tag: "meta",
      scope: deps.api.metrics === "public" ? null : "read",
      raw: true,
      responses: { 200: { description: "Prometheus text exposition format 0.0.4", contentType: "text/plain; version=0.0.4" } },
      async handler({ reply }) {
        const text = await deps.metrics.render();
        await reply.type(deps.metrics.registry.contentType).send(text);
      },
    }),
  ];
}

import { z } from "zod/v4";
import type { SwarmConfig } from "../../core/index.js";
import { Answer, route, type AnyRoute } from "../http/route.js";
import { queueDepth, statusView } from "../schemas/agents.js";
import type { ApiDeps } from "./deps.js";

const component = z.object({
  status: z.enum(["ok", "degraded", "down"]),
  detail: z.string().optional(),
  fix: z.string().optional().describe("when it is not ok: what a person can do about it"),
  roundTripMs: z.number().optional(),
});
const healthReport = z.object({
  status: z.enum(["ok", "degraded", "down"]),
  components: z.record(z.string(), component),
  agents: z.record(z.string(), component),
  leader: z
    .object({ host: z.string(), token: z.number(), since: z.string() })
    .nullable()
    .optional()
    .describe("with `hosts:` in swarm.yaml: the host whose daemon holds the leader lease and runs the control loop (null: none does)"),
});

export function systemRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: "GET",
      url: "/health",
      operationId: "health",
      summary: "Health of the swarm, per component (no token)",
      description: "200 when ok or degraded, 503 when down (Redis or the supervisor). For pm2, systemd and load balancers.",
      tag: "system",
      scope: null,
      unlimited: true,
      responses: { 200: { description: "ok or degraded", schema: healthReport }, 503: { description: "down", schema: healthReport } },
      async handler() {
        const report = await deps.health.report();
        return new Answer(report.status === "down" ? 503 : 200, report, report.status === "down" ? { "retry-after": "5" } : {});
      },
    }),
    route({
      method: "GET",
      url: "/v1/status",
      operationId: "getStatus",
      summary: "Agents, sessions, queues and the daemon (as `claude-agent status --json`)",
      tag: "system",
      scope: "read",
      responses: { 200: { description: "the swarm's status", schema: statusView } },
      handler: () => deps.control.status(),
    }),
    route({
      method: "GET",
      url: "/v1/queues",
      operationId: "listQueues",
      summary: "Queue depths per agent",
      tag: "system",
      scope: "read",
      responses: { 200: { description: "one entry per agent", schema: z.object({ queues: z.array(queueDepth.extend({ paused: z.boolean() })) }) } },
      async handler() {
        const status = await deps.control.status();
        return { queues: status.agents.map((a) => ({ ...a.queue, paused: a.paused })) };
      },
    }),
    route({
      method: "GET",
      url: "/v1/config",
      operationId: "getConfig",
      summary: "The running swarm's configuration, without secrets",
      description: "Agents' `env` lists variable names only; values never leave the daemon.",
      tag: "system",
      scope: "read",
      responses: { 200: { description: "the configuration", schema: z.record(z.string(), z.unknown()) } },
      handler: async () => safeConfig(deps.swarm),
    }),
  ];
}

/** The config a client may see: env values, TLS key paths and model endpoints' key variables stay out. */
export function safeConfig(config: SwarmConfig): Record<string, unknown> {
  return {
    agents: config.agents.map((agent) => ({
      name: agent.name,
      runtime: agent.runtime,
      replicas: agent.replicas,
      cwd: agent.cwd,
      routes: agent.routes,
      env: Object.keys(agent.env),
      timeout: agent.timeout,
      mode: agent.mode,
      model: agent.model,
      worktree: agent.worktree,
      commit: agent.commit,
      gate: agent.gate,
      gateRetries: agent.gateRetries,
      ...(agent.llm ? { llm: { baseUrl: agent.llm.baseUrl, model: agent.llm.model } } : {}),
      ...(agent.policy ? { policy: agent.policy } : {}),
    })),
    defaultAgent: config.defaultAgent,
    ...(config.supervisor ? { supervisor: { model: config.supervisor.llm?.model ?? null, routeTimeoutSec: config.supervisor.routeTimeoutSec } } : {}),
    ...(config.retention ? { retention: config.retention } : {}),
    ...(config.api
      ? { api: { listen: config.api.listen, tls: config.api.tls !== null, metrics: config.api.metrics, rateLimitPerMinute: config.api.rateLimitPerMinute } }
      : {}),
  };
}

import { z } from "zod/v4";
import { route, type AnyRoute } from "../http/route.js";
import { agentParams, agentView, restarted, sessionParams, sessionView } from "../schemas/agents.js";
import type { ApiDeps } from "./deps.js";

const empty = z.object({}).strict().optional();

export function agentRoutes(deps: ApiDeps): AnyRoute[] {
  const { control } = deps;
  return [
    route({
      method: "GET",
      url: "/v1/agents",
      operationId: "listAgents",
      summary: "Agents with their sessions, queue depth and state",
      tag: "agents",
      scope: "read",
      responses: { 200: { description: "every agent", schema: z.object({ agents: z.array(agentView) }) } },
      handler: async () => ({ agents: (await control.status()).agents }),
    }),
    route({
      method: "GET",
      url: "/v1/agents/:name",
      operationId: "getAgent",
      summary: "One agent",
      tag: "agents",
      scope: "read",
      params: agentParams,
      responses: { 200: { description: "the agent", schema: agentView }, 404: { description: "no such agent" } },
      handler: ({ params }) => control.agent(params.name),
    }),
    route({
      method: "POST",
      url: "/v1/agents/:name/pause",
      operationId: "pauseAgent",
      summary: "Pause an agent's queue",
      description: "Its sessions take no new task until resumed; running tasks finish, waiting ones stay queued.",
      tag: "agents",
      scope: "control",
      mutation: true,
      params: agentParams,
      body: empty,
      responses: { 200: { description: "the agent, paused", schema: agentView }, 404: { description: "no such agent" } },
      handler: ({ params }) => control.setPaused(params.name, true),
    }),
    route({
      method: "POST",
      url: "/v1/agents/:name/resume",
      operationId: "resumeAgent",
      summary: "Resume a paused agent's queue",
      tag: "agents",
      scope: "control",
      mutation: true,
      params: agentParams,
      body: empty,
      responses: { 200: { description: "the agent, resumed", schema: agentView }, 404: { description: "no such agent" } },
      handler: ({ params }) => control.setPaused(params.name, false),
    }),
    route({
      method: "GET",
      url: "/v1/sessions",
      operationId: "listSessions",
      summary: "Every agent session: state, current task, host, heartbeat",
      tag: "agents",
      scope: "read",
      responses: { 200: { description: "the sessions", schema: z.object({ sessions: z.array(sessionView) }) } },
      handler: async () => ({ sessions: (await control.status()).agents.flatMap((a) => a.sessions) }),
    }),
    route({
      method: "POST",
      url: "/v1/sessions/:name/restart",
      operationId: "restartSession",
      summary: "Restart a session",
      description: "Its tmux session is killed and the bridge starts it again; a task running there is retried.",
      tag: "agents",
      scope: "control",
      mutation: true,
      params: sessionParams,
      body: empty,
      responses: { 200: { description: "what was done", schema: restarted }, 404: { description: "no such session" } },
      handler: ({ params }) => control.restartSession(params.name),
    }),
  ];
}

import { z } from "zod/v4";
import { agentName, sessionName } from "./common.js";

export const sessionView = z.object({
  name: z.string(),
  agent: z.string(),
  state: z
    .enum(["starting", "idle", "busy", "down", "lost", "failed"])
    .describe("down: its host is not running; lost: its host fell silent while the session had a task (docs/MULTI-HOST.md)"),
  currentTask: z.string().nullable(),
  completed: z.number(),
  failed: z.number(),
  restarts: z.number(),
  startedAt: z.string().nullable(),
  heartbeatAt: z.string().nullable(),
  host: z.string().describe("with `hosts:` in swarm.yaml, the swarm's host it is placed on; otherwise the machine its bridge runs on"),
  agentState: z.string().optional(),
  needsInput: z.string().nullable().optional(),
  takenOver: z
    .object({ by: z.string(), since: z.string() })
    .optional()
    .describe("a person typing in its terminal (the dashboard's Take over): it gets no new task until they hand it back"),
});

export const queueDepth = z.object({
  agent: z.string(),
  waiting: z.number(),
  active: z.number(),
  completed: z.number(),
  failed: z.number(),
  delayed: z.number(),
});

export const agentView = z.object({
  name: z.string(),
  runtime: z.string(),
  replicas: z.number(),
  paused: z.boolean().describe("its queue is paused by a person (POST …/pause)"),
  parkedUntil: z.string().optional().describe("rate limited: its queue waits until then"),
  parkedHosts: z.array(z.string()).optional().describe("with hosts: in swarm.yaml, the hosts where it is parked (only their sessions wait)"),
  breaker: z.object({ state: z.string(), until: z.string(), reason: z.string() }).optional(),
  accounts: z
    .object({ current: z.string(), limited: z.array(z.object({ name: z.string(), until: z.string() })) })
    .optional()
    .describe("agents with `accounts:`: the account in use and those usage limited (until when)"),
  budget: z
    .object({
      per: z.enum(["day", "week", "month"]),
      period: z.string().describe("the budget period (UTC): 2025-03-14, w2025-03-10 (a week from that Monday), 2025-03"),
      resetsAt: z.string().describe("when the period ends and the spend starts again from zero"),
      spent: z.object({ usd: z.number(), tokens: z.number() }),
      limit: z
        .object({ usd: z.number().optional(), tokens: z.number().optional() })
        .describe("the limits that apply now (swarm.yaml's, or raised by an answer)"),
      paused: z.boolean().describe("at its limit: its queue waits until the period ends or an inbox answer lets it go"),
      once: z.number().describe("tasks an answer `once` still lets run past the limit"),
      item: z.string().optional().describe("the open inbox item that asks what to do"),
    })
    .optional()
    .describe("agents with `budget:` in swarm.yaml: what they spent this period"),
  sessions: z.array(sessionView),
  queue: queueDepth,
});

export const agentParams = z.object({ name: agentName }).strict();
export const sessionParams = z.object({ name: sessionName }).strict();
export const restarted = z.object({ session: z.string(), restarted: z.boolean(), message: z.string() });

export const statusView = z.object({
  agents: z.array(agentView),
  daemon: z.object({ pid: z.number().nullable(), startedAt: z.string().nullable(), heartbeatAt: z.string().nullable(), alive: z.boolean() }),
});

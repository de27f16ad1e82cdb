import { z } from "zod/v4";
import { agentName, sessionName } from "./common.js";

export const sessionView = z.object({
  name: z.string(),
  agent: z.string(),
  state: z.enum(["starting", "idle", "busy", "down", "failed"]),
  currentTask: z.string().nullable(),
  completed: z.number(),
  failed: z.number(),
  restarts: z.number(),
  startedAt: z.string().nullable(),
  heartbeatAt: z.string().nullable(),
  host: z.string(),
  agentState: z.string().optional(),
  needsInput: z.string().nullable().optional(),
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
  breaker: z.object({ state: z.string(), until: z.string(), reason: z.string() }).optional(),
  accounts: z
    .object({ current: z.string(), limited: z.array(z.object({ name: z.string(), until: z.string() })) })
    .optional()
    .describe("agents with `accounts:`: the account in use and those usage limited (until when)"),
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

/** What a bench run measures, and the plan it follows (quick or full). */
import type { ApiFigures } from "./api.js";
import type { HistoryFigures } from "./history.js";
import type { HostsFigures } from "./hosts.js";
import type { PeerFigures } from "./peer-bench.js";
import type { RecorderFigures } from "./recorder.js";
import type { Summary } from "./stats.js";
import type { WebResult } from "./web.js";

export type Plan = ReturnType<typeof planFor>;

/**
 * `burstWarmup` and `dispatchWarmup` are tasks run on each side before it is measured. A daemon is a
 * long-lived process: its figures are those of its code once V8 has compiled it. After a warm-up of 16
 * tasks, a 1,000-task burst of 8 agents used 9.0 ms of CPU per task (the daemon 3.1 ms), and the next
 * burst of the same swarm 8.0 ms (the daemon 2.4 ms); the optimizing compiler was among the top frames
 * of the daemon's profile in the first.
 */
export function planFor(quick: boolean) {
  return quick
    ? {
        quick,
        dispatchWarmup: 30,
        dispatchN: 100,
        dispatchBlock: 25,
        burst: 300,
        burstWarmup: 150,
        scales: [1, 8, 32],
        idleAgents: [32],
        settleMs: 5_000,
        sampleMs: 10_000,
        claudeTasks: 10,
        peer: { dispatchWarmup: 2, dispatchN: 30, burst: 48, panes: 8 },
      }
    : {
        quick,
        dispatchWarmup: 100,
        dispatchN: 300,
        dispatchBlock: 25,
        burst: 1000,
        burstWarmup: 500,
        scales: [1, 8, 32],
        idleAgents: [32, 64],
        settleMs: 10_000,
        sampleMs: 20_000,
        claudeTasks: 30,
        peer: { dispatchWarmup: 3, dispatchN: 100, burst: 160, panes: 8 },
      };
}

export interface IdleFigures {
  agents: number;
  settleMs: number;
  sampleMs: number;
  cpu: { daemon: number; redis: number; tmuxServer: number; tmuxClient: number };
  rssKb: { daemon: number; redis: number; tmuxServer: number; tmuxClient: number; panes: number };
  paneCount: number;
}

export interface Results {
  plan: Plan;
  startedAt: Date;
  finishedAt?: Date;
  machine: Record<string, string>;
  dispatch: { ours?: Summary; baseline?: Summary };
  /** Dispatch of a command never seen before each time (`true #N`): no verdict of the policy's to reuse (core/policy/verdicts.ts). */
  dispatchDistinct?: { ours: Summary; baseline: Summary };
  throughput: {
    n: number;
    ours?: number;
    baseline?: number;
    oursSec?: number;
    baselineSec?: number;
    oursCpuMs?: number;
    baselineCpuMs?: number;
    /** The burst's CPU per task by process (ms): where it goes, ours and the baseline's. */
    oursParts?: Record<string, number>;
    baselineParts?: Record<string, number>;
  }[];
  startup: { replicas: number; ms: number }[];
  idle: IdleFigures[];
  /** 1-minute load average at the start and at the end of the run. */
  load: { start: number; end?: number };
  /** Interactive Claude Code: model's last byte → result recorded, and → its Stop hook, ms per task; or why it was not measured. */
  claude?: { latency: Summary; stopHook: Summary } | { skipped: string };
  /** Dispatch of `true` on a `sandbox: bwrap` shell agent and on a `sandbox: none` one, alternating; or why it was not measured. */
  sandbox?: { bwrap: Summary; none: Summary } | { skipped: string };
  /** Bursts on a swarm with the flight recorder and on one without, alternating (recorder.ts). */
  recorder?: RecorderFigures;
  /** The control plane: API submit → result beside the SDK's, SSE fan-out CPU, /metrics with 64 agents (api.ts). */
  api?: ApiFigures;
  /** The web dashboard in headless Chromium: first paint with 64 agents, a burst with the page open, terminal latency (web.ts); or why not measured. */
  web?: WebResult;
  /** The history store: the writer in a burst, task search over generated tasks, memory search (history.ts). */
  history?: HistoryFigures;
  /** Many simulated hosts on this machine: bursts on 1, 2 and 3 hosts, a host's death, leader failover (hosts.ts). */
  hosts?: HostsFigures;
  /** The same tasks typed with send-keys and judged done by capture-pane polling, as tmux-based agent managers do (peer-bench.ts). */
  peer?: PeerFigures;
}

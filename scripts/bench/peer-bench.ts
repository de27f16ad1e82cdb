/**
 * The peer-style baseline's measures (peer.ts does the dispatching): `true`
 * one at a time on one pane, submit → "done", and a burst of `echo x` over 8
 * panes with the CPU of every process involved, like ours and the bare
 * baseline in bench.ts.
 *
 * The profiles, as read in each tool's source:
 * - claude-squad (smtg-ai/claude-squad 434ca25): `app/app.go` tickUpdateMetadataCmd sleeps 500 ms, then
 *   runs `tmux capture-pane -p -e -J` on every active instance (`session/tmux/tmux.go` HasUpdated,
 *   sha256 of the screen); a changed screen is Running, an unchanged one Ready: done = unchanged for
 *   one 500 ms tick. `session/instance.go` SendPrompt writes the text, sleeps 100 ms, then Enter.
 * - ntm (Dicklesworthstone/ntm 6cc4f0b): `internal/tmux/session.go` SendKeys is `send-keys -l`, then
 *   DefaultEnterDelay 100 ms, then `send-keys Enter`; `ntm wait` polls every 2 s (DefaultWaitPoll) and
 *   "complete" is an idle prompt plus no new output for 5 s (CompleteIdleThreshold, `internal/cli/wait.go`).
 * - ccmanager (kbwo/ccmanager dbed136): no tmux (its own PTY through node-pty and a headless xterm);
 *   state checked every 100 ms (STATE_CHECK_INTERVAL_MS, `src/services/sessionManager.ts`), idle once
 *   the screen is unchanged for 1500 ms (IDLE_DEBOUNCE_MS, `src/services/stateDetector/claude.ts`).
 *   Here with send-keys and capture-pane, its timings only.
 */
import { performance } from "node:perf_hooks";
import type { Cleanups } from "./cleanup.js";
import { lastOutputLine, PeerPanes, type PeerProfile } from "./peer.js";
import { cpuMs } from "./procfs.js";
import { describe, rate, summarize, type Summary } from "./stats.js";

export const PEER_PROFILES: Readonly<Record<string, PeerProfile>> = {
  "claude-squad": { tool: "claude-squad", enterDelayMs: 100, pollMs: 500, quietMs: 500 },
  ntm: { tool: "ntm", enterDelayMs: 100, pollMs: 2000, quietMs: 5000 },
  ccmanager: { tool: "ccmanager", enterDelayMs: 100, pollMs: 100, quietMs: 1500 },
};

export interface PeerPlan {
  readonly dispatchWarmup: number;
  readonly dispatchN: number;
  readonly burst: number;
  readonly panes: number;
}

export interface PeerFigures {
  readonly profile: PeerProfile;
  readonly plan: PeerPlan;
  readonly dispatch: Summary;
  readonly burst: { readonly panes: number; readonly tasks: number; readonly seconds: number; readonly rate: number; readonly cpuMs: number };
}

const echoed = (screen: string): boolean => lastOutputLine(screen) === "x";

export async function measurePeer(profile: PeerProfile, plan: PeerPlan, cleanups: Cleanups, say: (line: string) => void): Promise<PeerFigures> {
  say(
    `\npeer-style (${profile.tool}'s timings): tmux send-keys -l, ${profile.enterDelayMs} ms, send-keys Enter; capture-pane of every pane, ${profile.pollMs} ms between rounds; done when the screen changed and then stayed unchanged ${profile.quietMs} ms`,
  );
  const one = await PeerPanes.start(1, profile, cleanups);
  const samples: number[] = [];
  try {
    for (let i = 0; i < plan.dispatchWarmup + plan.dispatchN; i++) {
      const t0 = performance.now();
      await one.dispatch(0, "true");
      if (i >= plan.dispatchWarmup) samples.push(performance.now() - t0);
    }
  } finally {
    await one.stop();
  }
  const dispatch = summarize(samples);
  say(`  dispatch \`true\`, peer-style (send-keys → screen quiet): ${describe(dispatch)}`);

  const many = await PeerPanes.start(plan.panes, profile, cleanups);
  try {
    // One warm-up task per pane, then the burst: each pane takes the next task once its screen says done.
    await Promise.all(Array.from({ length: many.size }, (_, i) => many.dispatch(i, "echo x", echoed)));
    const pids = [process.pid, ...(await many.pids())];
    let next = 0;
    const cpu0 = cpuMs(pids);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: many.size }, async (_, i) => {
        while (next < plan.burst) {
          next++;
          await many.dispatch(i, "echo x", echoed);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = (cpuMs(pids) - cpu0) / plan.burst;
    const burst = { panes: many.size, tasks: plan.burst, seconds, rate: plan.burst / seconds, cpuMs: cpu };
    say(
      `  burst of ${plan.burst} \`echo x\` over ${many.size} panes, peer-style: ${seconds.toFixed(2)} s → ${rate(burst.rate)}; CPU ${cpu.toFixed(2)} ms per task`,
    );
    return { profile, plan, dispatch, burst };
  } finally {
    await many.stop();
  }
}

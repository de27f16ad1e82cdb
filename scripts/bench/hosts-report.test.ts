/** The many-hosts section of BENCHMARKS.md: what it says for each figure, and which lock each host-death figure had. */
import { describe, expect, it } from "vitest";
import { DEFAULT_LOCK, type HostBurst, type HostsFigures, SHORT_LOCK } from "./hosts.js";
import { hostsDetails, hostsSummary } from "./hosts-report.js";
import { summarize } from "./stats.js";

const burst = (hosts: number, seconds: number, perHost: number[]): HostBurst => ({
  hosts,
  replicas: perHost.map(() => 6 / hosts),
  tasks: 3000,
  seconds: seconds * 3,
  roundRates: [1000 / seconds - 10, 1000 / seconds, 1000 / seconds + 10],
  cpuMs: { total: perHost.reduce((a, b) => a + b, 0) + 1.5, redis: 1, client: 0.5, perHost },
});

const figures = (deaths: HostsFigures["death"]): HostsFigures => ({
  burst: [burst(1, 4, [6]), burst(2, 5, [3.5, 3.5]), burst(3, 5, [2.5, 2.5, 2.5])],
  death: deaths,
  failover: summarize([2600, 2900, 3100]),
  failoverHosts: 3,
  load: { start: 1.5, end: 2.25 },
});
const short = { ...SHORT_LOCK, tasks: 3, ranAgain: summarize([3400, 3700, 4100]) };
const long = { ...DEFAULT_LOCK, tasks: 3, ranAgain: summarize([11_000, 12_500, 14_900]) };

describe("the many-hosts section of BENCHMARKS.md", () => {
  it("gives each burst its rate, its CPU per task in all and per host, and the extra CPU beside one host", () => {
    const text = hostsDetails(figures([short, long])).join("\n");
    expect(text).toMatch(/^### Many hosts$/m);
    expect(text).toContain("**Bursts.** 3 rounds; in each, 1,000 `true` tasks");
    expect(text).toContain("Load average (1 min) 1.50 when this part started, 2.25 when it ended.");
    expect(text).toContain("| 1 | 6 | 250 (240, 250, 260) | 7.50 ms | — | 6.00 ms | 1.00 ms | 0.50 ms |");
    expect(text).toContain("| 2 | 3 + 3 | 200 (190, 200, 210) | 8.50 ms | +1.00 ms (13 %) | 3.50 ms + 3.50 ms | 1.00 ms | 0.50 ms |");
    expect(text).toContain("| 3 | 2 + 2 + 2 | 200 (190, 200, 210) | 9.00 ms | +1.50 ms (20 %) | 2.50 ms + 2.50 ms + 2.50 ms | 1.00 ms | 0.50 ms |");
  });

  it("says which lock each host-death figure ran with, the defaults named as such", () => {
    const text = hostsDetails(figures([short, long])).join("\n");
    expect(text).toContain("| 3.00 s / every 1.00 s (shortened through `CLAUDE_AGENT_TUNING`, as the fault tests do) | 3 | 3.70 s / 4.10 s |");
    expect(text).toContain("| 10.00 s / every 5.00 s (the defaults) | 3 | 12.50 s / 14.90 s |");
    expect(text).not.toContain("was not measured in this run");
  });

  it("says when the default lock was not measured", () => {
    const text = hostsDetails(figures([short])).join("\n");
    expect(text).toContain("The default lock (10 s, stalled check every 5 s) was not measured in this run");
  });

  it("gives the leader failover's spread over its rounds", () => {
    expect(hostsSummary(figures([short]))).toContain("| 3 | 2.60 s | 2.90 s | 3.10 s |");
  });
});

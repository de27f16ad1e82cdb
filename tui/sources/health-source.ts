import { PolledSource } from "./polled-source.js";
import type { DashboardState } from "../state.js";
import type { SwarmLink } from "./swarm-link.js";

/** Redis health for the status bar: a PING and its round-trip time, every few seconds. */
export class HealthSource extends PolledSource {
  constructor(
    private readonly state: DashboardState,
    private readonly link: SwarmLink,
    private readonly changed: () => void,
    options: { periodMs: number },
  ) {
    super({ minIntervalMs: 250, periodMs: options.periodMs });
  }

  protected async read(): Promise<void> {
    const link = this.link.current;
    const before = JSON.stringify(this.state.redis);
    if (!link) {
      this.state.redis = { ok: false, latencyMs: null, error: "not connected" };
    } else {
      const started = performance.now();
      try {
        await link.swarm.client.ping();
        this.state.redis = { ok: true, latencyMs: performance.now() - started, error: null };
      } catch (error) {
        this.state.redis = { ok: false, latencyMs: null, error: (error as Error).message };
      }
    }
    if (JSON.stringify(this.state.redis) !== before) this.changed();
  }
}

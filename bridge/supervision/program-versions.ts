import type { AgentConfig } from "../../core/index.js";
import { findNode, probeVersion, runtimeAdapter } from "../../agents/index.js";

/** A session started within this long of the last probe of its agent's program reuses that answer. */
const FRESH_MS = 60_000;
/** In the background, so it can wait: a large Node program (an agent CLI shipped as JavaScript) took over 5 s to print its version on a loaded machine. */
const PROBE_TIMEOUT_MS = 30_000;

/**
 * What `--version` says for each agent's program, asked when its sessions
 * start (a program updated while the swarm runs shows up at the next
 * restart). Replicas starting together share one probe. Never throws: a
 * program that does not answer has no version.
 */
export class ProgramVersions {
  private readonly probes = new Map<string, { at: number; version: Promise<string | null> }>();

  of(agent: AgentConfig): Promise<string | null> {
    if (runtimeAdapter(agent.runtime).unversioned) return Promise.resolve(null);
    const known = this.probes.get(agent.name);
    if (known && Date.now() - known.at < FRESH_MS) return known.version;
    const node = agent.node ? (findNode(agent.node)?.path ?? null) : null;
    const options = { env: { ...process.env, ...agent.env }, node, timeoutMs: PROBE_TIMEOUT_MS };
    const version = probeVersion(agent.command ?? agent.runtime, options).catch(() => null); // no answer: no version
    // No answer is not remembered: the next session start asks again.
    void version.then((v) => v === null && this.probes.delete(agent.name));
    this.probes.set(agent.name, { at: Date.now(), version });
    return version;
  }
}

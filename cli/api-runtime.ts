/**
 * The daemon's part of the control plane: starts the API (api/) with what
 * only the composition root has (tmux, for the health probe), unless
 * `api: false`. A swarm.yaml that names the address makes
 * a failed bind stop `up`; the default address (127.0.0.1:7433) being taken,
 * by another swarm on this machine, only costs this swarm its API, with a warning.
 */
import type { LogFn, RedisTarget, SwarmConfig } from "../core/index.js";
import { DEFAULT_API, EnvironmentError } from "../core/index.js";
import type { RunningApi } from "../api/index.js";
import { tmuxServerRunning } from "../sessions/index.js";

export async function startControlPlane(options: {
  home: string;
  /** The swarm's Redis key prefix (tokens live under it). */
  prefix: string;
  tmuxSocket: string;
  target: RedisTarget;
  config: SwarmConfig;
  log: LogFn;
  progress: (line: string) => void;
}): Promise<RunningApi | null> {
  const api = options.config.api ?? DEFAULT_API;
  if (!api.enabled) return null;
  const { startApi } = await import("../api/index.js");
  try {
    const running = await startApi({
      home: options.home,
      prefix: options.prefix,
      target: options.target,
      config: options.config,
      log: options.log,
      probes: {
        tmux: async () => ((await tmuxServerRunning(options.tmuxSocket)) ? { status: "ok" } : { status: "down", detail: "the tmux server does not answer" }),
      },
    });
    options.progress(`api: ${running.url}${running.tokenFile ? ` (first token written to ${running.tokenFile})` : ""}`);
    return running;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === "EADDRINUSE" || code === "EACCES") && !api.listenExplicit) {
      options.progress(`api: off: ${api.listen.host}:${api.listen.port} is in use (another swarm?); set api.listen in swarm.yaml`);
      options.log("api.unavailable", { error });
      return null;
    }
    if (code === "EADDRINUSE" || code === "EADDRNOTAVAIL" || code === "EACCES") {
      throw new EnvironmentError(`api.listen: cannot listen on ${api.listen.host}:${api.listen.port} (${code})`, {
        cause: error,
        hint: "Pick another address in swarm.yaml (api.listen), or `api: false`.",
      });
    }
    throw error;
  }
}

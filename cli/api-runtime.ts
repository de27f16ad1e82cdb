/**
 * The daemon's part of the control plane: starts the API (api/) with what
 * only the composition root has (tmux, for the health probe), unless
 * `api: false`. A swarm.yaml that names the address makes
 * a failed bind stop `up`; the default address (127.0.0.1:7433) being taken,
 * by another swarm on this machine, only costs this swarm its API, with a warning.
 */
import type { LogFn, RedisTarget, SwarmConfig, TaskEnds } from "../core/index.js";
import { DEFAULT_API, EnvironmentError } from "../core/index.js";
import type { HistoryReader, RunningApi } from "../api/index.js";
import { History } from "../history/index.js";
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
  /** The tasks this daemon's bridge ends, told in-process: `?wait=` settles without a trip through Redis. */
  ends: TaskEnds;
  /** This daemon's host in a swarm with `hosts:` (null: none): the web terminal's relay tickets name it. */
  host: string | null;
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
      ends: options.ends,
      host: options.host,
      history: historyReader(options.home, options.config),
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

/**
 * The history for the API's reads, opened at the first request (a PostgreSQL
 * store that is down must not keep the API from starting) and again after a
 * failed open.
 */
function historyReader(home: string, config: SwarmConfig): HistoryReader {
  let opened: Promise<History> | null = null;
  const open = async (): Promise<History> => {
    opened ??= History.open(home, config);
    try {
      return await opened;
    } catch (error) {
      opened = null;
      throw new EnvironmentError(`the history store cannot be opened: ${(error as Error).message}`, {
        cause: error,
        hint: "`claude-agent doctor` checks the history writer and its store.",
      });
    }
  };
  return {
    async tasks(query) {
      const page = await (await open()).tasks(query);
      return { tasks: page.items, next: page.next };
    },
    async throughput(minutes) {
      const bucketMs = minutes <= 180 ? 60_000 : 15 * 60_000;
      const until = Date.now();
      const since = until - minutes * 60_000;
      const rows = await (await open()).throughput(since, until, bucketMs);
      return { bucketMs, since: new Date(since).toISOString(), buckets: rows.map((row) => ({ ...row, at: new Date(row.at).toISOString() })) };
    },
    async task(id) {
      const t = await (await open()).task(id);
      if (!t) return null;
      // The fields GET /v1/history/tasks/:id documents, nothing else (no file paths but the recording's, no idempotency key).
      return {
        id: t.id,
        agent: t.agent,
        session: t.session,
        status: t.status,
        exitCode: t.exitCode,
        reason: t.reason,
        task: t.task,
        submittedAt: t.submittedAt,
        startedAt: t.startedAt,
        finishedAt: t.finishedAt,
        durationMs: t.durationMs,
        attempts: t.attempts,
        workflow: t.workflow,
        step: t.step,
        executionId: t.executionId,
        costUsd: t.costUsd,
        submittedBy: t.submittedBy,
        host: t.host,
        output: t.output,
        outputChars: t.outputChars,
        answer: t.answer,
        inputTokens: t.inputTokens,
        outputTokens: t.outputTokens,
        changedFiles: t.changedFiles,
        castFile: t.castFile,
        submittedVia: t.submittedVia,
      };
    },
    async close() {
      const history = await opened?.catch(() => null); // a failed open is its request's error: nothing to close
      opened = null;
      await history?.close();
    },
  };
}

/**
 * Policy checks run off the event loop, in worker threads with a time limit:
 * a 1 MB task or an agent's own regular expression that backtracks for
 * minutes cannot stall the process that checks it (the CLI, the bridge, the
 * langchain agent's tools). At most two workers, started on first use and
 * kept; an idle worker does not keep the process alive. A check that outlives
 * its limit has its worker terminated and refuses the task.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { EnvironmentError } from "../errors.js";
import type { PolicyVerdict } from "./evaluate.js";
import type { CompiledPolicy } from "./patterns.js";
import type { CheckRequest, CheckResponse } from "./protocol.js";

export interface CheckOptions {
  /** Time limit of this check in ms; default policyBudgetMs(text). */
  readonly timeoutMs?: number;
}

/**
 * 15 s plus 30 ms per KB (1 MB: 45 s). A check of a short command takes
 * milliseconds of CPU, but on a 2-core machine at load 26 a worker thread
 * waited over 6 s for a core; only inputs the parser handles in worse than
 * linear time (thousands of unterminated here-documents) come near the limit.
 */
export function policyBudgetMs(text: string): number {
  return 15_000 + Math.ceil(text.length / 1024) * 30;
}

const POOL_SIZE = 2;
/** Beyond its own time limit, a worker that has not answered is terminated after this much more. */
const GRACE_MS = 1000;
/** Loading the parser (WebAssembly) takes ~0.3 s; a worker that is not ready after this is broken. */
const START_TIMEOUT_MS = 30_000;
/** Workers started for one check before it is refused for a parser that cannot start. */
const START_TRIES = 2;

interface Pending {
  readonly resolve: (verdict: PolicyVerdict) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

class PolicyWorker {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  private pending: Pending | null = null;
  private nextId = 1;
  dead = false;
  /** Taken by a check (from before it waits for the worker to be ready until it has its verdict). */
  taken = false;

  constructor(onExit: (w: PolicyWorker) => void) {
    // A worker inherits its process's execArgv; `--input-type` (a script run with `node --input-type=module -e`)
    // makes a worker started from a file exit at once ("--input-type can only be used with string input").
    const execArgv = process.execArgv.filter((arg) => !arg.startsWith("--input-type"));
    this.worker = new Worker(workerEntry(), { execArgv, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      this.worker.once("message", () => (clearTimeout(timer), resolve()));
      this.worker.once("error", (error) => (clearTimeout(timer), reject(error)));
      this.worker.once("exit", (code) => (clearTimeout(timer), reject(new Error(`exited with code ${code}`))));
    });
    this.ready.catch(() => undefined); // awaited by the check that takes this worker, which reports it
    this.worker.on("message", (message: CheckResponse) => this.answer(message));
    this.worker.on("error", (error) => this.fail(`the policy check failed: ${error.message}`));
    this.worker.on("exit", () => {
      this.dead = true;
      this.fail("the policy check stopped before it answered");
      onExit(this);
    });
  }

  check(request: Omit<CheckRequest, "id">): Promise<PolicyVerdict> {
    const id = this.nextId++;
    return new Promise<PolicyVerdict>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle({
          allowed: false,
          rule: "policy-timeout",
          reason: "refused by policy: the check did not finish in time (the text is too large or too complex to check)",
        });
        this.retire();
      }, request.budgetMs + GRACE_MS);
      this.pending = { resolve, reject, timer };
      this.worker.ref();
      this.worker.postMessage({ ...request, id } satisfies CheckRequest);
    });
  }

  private answer(message: CheckResponse): void {
    if ("ready" in message) return;
    if ("verdict" in message) return this.settle(message.verdict);
    this.fail(`the policy check failed: ${message.error}`);
    // A failed check may have left the parser's WebAssembly state broken: start afresh next time.
    this.retire();
  }

  /** Out of the pool at once, terminated in the background. */
  retire(): void {
    this.dead = true;
    void this.worker.terminate();
  }

  private fail(reason: string): void {
    this.settle({ allowed: false, rule: "policy-error", reason: `refused by policy: ${reason}` });
  }

  private settle(verdict: PolicyVerdict): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    this.worker.unref();
    pending.resolve(verdict);
  }
}

/**
 * The built worker.js; or, when this file runs from its TypeScript source
 * (the unit tests), a bootstrap that registers tsx in the worker first
 * (`execArgv: ["--import", "tsx"]` does not reach a worker's entry module on Node 20).
 */
function workerEntry(): URL {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new URL("./worker.js", here);
  const require = createRequire(here);
  const manifest = require("tsx/package.json") as { exports: Record<string, { import?: { default?: string } }> };
  const api = pathToFileURL(join(dirname(require.resolve("tsx/package.json")), manifest.exports["./esm/api"]?.import?.default ?? "")).href;
  const code = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(new URL("./worker.ts", here).href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

export class PolicyChecker {
  private readonly workers = new Set<PolicyWorker>();
  private readonly queue: (() => void)[] = [];
  private closed = false;

  async check(text: string, policy: CompiledPolicy, options: CheckOptions = {}): Promise<PolicyVerdict> {
    if (this.closed) throw new Error("the policy checker is closed");
    // A worker that fails to start is replaced once before the check gives up.
    for (let attempt = 1; ; attempt++) {
      const worker = await this.acquire();
      try {
        const started = await worker.ready.then(
          () => true,
          (cause: unknown) => {
            if (attempt < START_TRIES) return false;
            throw new EnvironmentError(`the command policy's shell parser could not start: ${cause instanceof Error ? cause.message : String(cause)}`, {
              cause,
              hint: "Reinstall the dependencies (npm ci): web-tree-sitter and tree-sitter-bash are needed.",
            });
          },
        );
        if (!started) {
          worker.dead = true;
          this.workers.delete(worker);
          void worker.worker.terminate().catch(() => undefined); // a worker that would not start has nothing to stop
          continue;
        }
        return await worker.check({
          text,
          deny: policy.deny.map((r) => r.source),
          ask: policy.ask.map((r) => r.source),
          allow: policy.allow.map((r) => r.source),
          budgetMs: options.timeoutMs ?? policyBudgetMs(text),
        });
      } finally {
        worker.taken = false;
        this.queue.shift()?.();
      }
    }
  }

  /** Idempotent: terminates the workers; checks under way are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.workers].map((w) => w.worker.terminate()));
    this.workers.clear();
  }

  /** A worker for one check, taken before this returns (two checks never share one). */
  private async acquire(): Promise<PolicyWorker> {
    for (;;) {
      const live = [...this.workers].filter((w) => !w.dead);
      let worker = live.find((w) => !w.taken);
      if (!worker && live.length < POOL_SIZE) {
        worker = new PolicyWorker((w) => {
          this.workers.delete(w);
          this.queue.shift()?.();
        });
        worker.worker.unref();
        this.workers.add(worker);
      }
      if (worker) {
        worker.taken = true;
        return worker;
      }
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
  }
}

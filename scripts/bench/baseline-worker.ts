/**
 * The baseline's worker process: a bare BullMQ Worker (default options) that
 * runs each job's command with execa (`bash -c CMD`, stdin ignored) and returns its stdout.
 *
 *   node baseline-worker.js SOCKET QUEUE CONCURRENCY
 *
 * Sends "ready" over IPC once connected; exits on "stop" or when the parent goes.
 */
import { Worker } from "bullmq";
import { execa } from "execa";
import { Redis } from "ioredis";

const [socket, queueName, concurrency] = process.argv.slice(2);
if (!socket || !queueName || !concurrency) {
  process.stderr.write("usage: baseline-worker SOCKET QUEUE CONCURRENCY\n");
  process.exit(2);
}

const connection = new Redis({ path: socket, maxRetriesPerRequest: null });
// stdin "ignore", as our own `bash -c` runs (gates, the LangChain agent's tool) have it: with a socket on
// stdin (libuv's default pipe is a socketpair) and SHLVL unset or 0, as under pm2, systemd or this bench's
// parent, Debian's bash takes itself for a command run by sshd and sources ~/.bashrc first. On a machine whose
// .bashrc ran `pyenv init` that cost 100 ms per job (p50 102 ms against 3.1 ms), which was the machine's
// .bashrc being measured, not the worker.
const worker = new Worker<{ cmd: string }, string>(queueName, async (job) => (await execa("bash", ["-c", job.data.cmd], { stdin: "ignore" })).stdout, {
  connection,
  concurrency: Number(concurrency),
});
worker.on("error", (error) => process.stderr.write(`baseline worker: ${error.message}\n`));

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await worker.close().catch(() => undefined);
  connection.disconnect();
  process.exit(0);
}

process.on("message", (message) => {
  if (message === "stop") void stop();
});
process.on("disconnect", () => void stop());

await worker.waitUntilReady();
process.send?.("ready");

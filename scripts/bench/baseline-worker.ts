/**
 * The baseline's worker process: a bare BullMQ Worker (default options) that
 * runs each job's command with execa (`bash -c CMD`) and returns its stdout.
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
const worker = new Worker<{ cmd: string }, string>(queueName, async (job) => (await execa("bash", ["-c", job.data.cmd])).stdout, {
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

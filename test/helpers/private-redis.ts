import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";

export interface PrivateRedis {
  readonly redis: Redis;
  /** Disconnects, kills the server and removes its folder. Idempotent. */
  close(): void;
}

/** A redis-server of this test's own, on a unix socket in a temp folder (no TCP port, no persistence), and a client of it. */
export async function startPrivateRedis(name: string): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), `ca-${name}-`));
  const server = spawn("redis-server", ["--port", "0", "--unixsocket", join(dir, "r.sock"), "--save", "", "--daemonize", "no"], { stdio: "ignore" });
  const redis = new Redis({ path: join(dir, "r.sock"), maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on("error", () => undefined);
  for (let i = 0; i < 250 && (await redis.ping().catch(() => null)) !== "PONG"; i++) await sleep(20);
  let closed = false;
  return {
    redis,
    close() {
      if (closed) return;
      closed = true;
      redis.disconnect();
      server.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

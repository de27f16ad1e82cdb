/**
 * A real PostgreSQL for the tests: Debian's `postgresql` (installed with
 * apt-get when missing), a cluster made with initdb in a temp folder, on a
 * private port with its socket in that folder, run as the unprivileged
 * `postgres` user (the server refuses to run as root), stopped and removed
 * afterwards. Trust authentication on loopback: nothing else can reach it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aptInstall } from "../helpers/debian.js";

export interface TestPostgres {
  readonly url: string;
  readonly port: number;
  /** Stops the server (fast shutdown): clients see the outage. */
  stop(): void;
  /** Starts it again on the same port and data. */
  start(): void;
  /** Stops it and removes its data. */
  destroy(): void;
}

function binDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

/** Debian's postgresql (test/helpers/debian.ts installs it when missing); its bin folder. */
export function ensurePostgresInstalled(): string {
  aptInstall(["postgresql"], () => binDir() !== null);
  return binDir()!;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = ensurePostgresInstalled();
  const root = mkdtempSync(join(tmpdir(), "ca-pg-"));
  chmodSync(root, 0o755);
  const data = join(root, "data");
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()) : null;
  const gid = asRoot ? Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()) : null;
  if (uid !== null && gid !== null) chownSync(root, uid, gid);
  const run = (program: string, args: string[]): void => {
    const argv = asRoot ? ["runuser", "-u", "postgres", "--", join(bin, program), ...args] : [join(bin, program), ...args];
    const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 120_000, cwd: root });
    if (result.status !== 0) throw new Error(`${program} failed (${result.status}): ${result.stderr}${result.stdout}`);
  };
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () => run("pg_ctl", ["-D", data, "-o", options, "-l", join(root, "server.log"), "-w", "-t", "60", "start"]);
  const stop = () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
  start();
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => {
      stop();
      stopped = true;
    },
    start: () => {
      start();
      stopped = false;
    },
    destroy: () => {
      if (!stopped)
        spawnSync(
          asRoot ? "runuser" : join(bin, "pg_ctl"),
          asRoot ? ["-u", "postgres", "--", join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"] : ["-D", data, "-m", "immediate", "-w", "stop"],
        );
      rmSync(root, { recursive: true, force: true });
    },
  };
}

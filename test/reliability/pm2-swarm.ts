import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { homePaths, type HomePaths } from "../../core/index.js";
import { connect, type Swarm } from "../../client/index.js";
import { runCli } from "../helpers/swarm.js";

const ROOT = resolve(import.meta.dirname, "../..");
const PM2 = join(ROOT, "node_modules/pm2/bin/pm2");

/**
 * A swarm run the way operators run it in the background: `pm2 start
 * ecosystem.config.js`, with pm2 isolated in a temporary PM2_HOME (as in
 * test/ops/pm2.test.ts). pm2 restarts the daemon when it dies; tmux and the
 * embedded Redis are daemons of their own.
 */
export interface Pm2Swarm {
  readonly base: string;
  readonly home: string;
  readonly paths: HomePaths;
  pm2(...args: string[]): { status: number | null; stdout: string; stderr: string };
  /** The pid of the ready daemon (`up`), from its ready file; null while none is ready. */
  daemonPid(): number | null;
  /** Waits until a daemon other than `previous` (if given) has written its ready file. */
  waitReady(previous?: number | null, timeoutMs?: number): Promise<number>;
  /** Child processes of the daemon: [pid, argv]. */
  daemonChildren(): { pid: number; args: string }[];
  connect(): Promise<Swarm>;
  destroy(): Promise<void>;
}

export async function startPm2Swarm(yaml: string, env: NodeJS.ProcessEnv = {}): Promise<Pm2Swarm> {
  const base = mkdtempSync(join(tmpdir(), "ca-"));
  const home = join(base, "h");
  const paths = homePaths(home);
  const configFile = join(base, "swarm.yaml");
  writeFileSync(configFile, yaml);
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    PM2_HOME: join(base, "pm2"),
    CLAUDE_AGENT_HOME: home,
    CLAUDE_AGENT_CONFIG: configFile,
    CLAUDE_AGENT_CWD: base,
  };
  const opened: Swarm[] = [];
  const readyFile = join(paths.runDir, "daemon.ready");
  const swarm: Pm2Swarm = {
    base,
    home,
    paths,
    pm2: (...args) => {
      const r = spawnSync(process.execPath, [PM2, ...args], { cwd: ROOT, env: fullEnv, encoding: "utf8", timeout: 60_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    daemonPid() {
      if (!existsSync(readyFile)) return null;
      const pid = Number.parseInt(readFileSync(readyFile, "utf8"), 10);
      if (!(pid > 0)) return null;
      try {
        process.kill(pid, 0);
        return pid;
      } catch {
        return null;
      }
    },
    async waitReady(previous = null, timeoutMs = 45_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const pid = swarm.daemonPid();
        if (pid !== null && pid !== previous) return pid;
        if (Date.now() > deadline) {
          const log = [join(paths.logsDir, "pm2.out.log"), join(paths.logsDir, "pm2.err.log")]
            .filter(existsSync)
            .map((file) => readFileSync(file, "utf8").split("\n").slice(-20).join("\n"))
            .join("\n");
          throw new Error(`no daemon became ready under pm2 within ${timeoutMs} ms:\n${log}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    daemonChildren() {
      const pid = swarm.daemonPid();
      if (pid === null) return [];
      let out = "";
      try {
        out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" });
      } catch {
        return []; // ps exits 1 when there are none
      }
      return out
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => ({ pid: Number(line.split(/\s+/, 1)[0]), args: line.slice(line.indexOf(" ") + 1) }));
    },
    async connect() {
      const client = await connect({ home });
      opened.push(client);
      return client;
    },
    async destroy() {
      await Promise.allSettled(opened.map((client) => client.close()));
      swarm.pm2("kill");
      runCli(["down"], { home });
      rmSync(base, { recursive: true, force: true });
    },
  };
  const started = swarm.pm2("start", "ecosystem.config.js");
  if (started.status !== 0) {
    swarm.pm2("kill");
    throw new Error(`pm2 start failed:\n${started.stdout}\n${started.stderr}`);
  }
  await swarm.waitReady();
  return swarm;
}

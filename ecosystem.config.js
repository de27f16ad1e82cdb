// pm2: `pm2 start ecosystem.config.js` runs the swarm in the background, like
// `claude-agent up --detach`. The tmux server and the embedded Redis are
// daemons of their own, so `pm2 restart` never touches the agents.
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

const home = process.env.CLAUDE_AGENT_HOME || path.join(os.homedir(), ".claude-agent");

// A named `apps` export: pm2 loads this file with require(), which on Node ≥ 20.19 returns the ESM
// namespace, so the apps must be a named export (a default export alone reads as no apps).
export const apps = [
  {
    name: "claude-agent",
    script: path.join(here, "dist/cli/main.js"),
    args: ["up"].concat(process.env.CLAUDE_AGENT_CONFIG ? ["--config", process.env.CLAUDE_AGENT_CONFIG] : []),
    cwd: process.env.CLAUDE_AGENT_CWD || process.cwd(),
    env: { CLAUDE_AGENT_HOME: home },
    // `up` sends "ready" once Redis, tmux and the bridge are up.
    wait_ready: true,
    listen_timeout: 30000,
    // Closing stops intake and leaves running jobs in their panes; give it room.
    kill_timeout: 10000,
    // A crashed daemon is back within ~1 s (its jobs are re-adopted at start); repeated crashes back off (×1.5 up to 15 s).
    exp_backoff_restart_delay: 100,
    max_restarts: 50,
    // `claude-agent down` stops the daemon with SIGTERM, and under pm2 a daemon stopped that way exits 143: pm2 must
    // leave it stopped (without this it started it again 100 ms later). Not 0: pm2 reports a kill -9 as exit code 0,
    // and that one, like a crash, must restart. pm2's own stop and restart send SIGINT and are not affected.
    stop_exit_codes: [143],
    out_file: path.join(home, "logs", "pm2.out.log"),
    error_file: path.join(home, "logs", "pm2.err.log"),
    merge_logs: true,
  },
];

export default { apps };

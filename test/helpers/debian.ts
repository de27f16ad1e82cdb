/**
 * Debian packages that only tests need (chromium, prometheus, postgresql,
 * openssh-server, ansible-core): installed with apt-get when missing and we
 * are root, as on a fresh CI machine, so that setup.sh installs only what the
 * swarm itself runs.
 *
 * Every test file that needs one asks for it itself: vitest orders files by
 * the durations of an earlier run, and a fresh clone has none, so no file may
 * count on another having installed a package first (gauges.test.ts once
 * needed the promtool that prometheus.test.ts installed, and failed when it
 * ran first). Two files may install at once: apt waits up to 10 minutes for
 * dpkg's lock instead of failing. The package lists of a fresh machine may
 * not know a package yet: a failed install is tried again after an update.
 */
import { spawnSync } from "node:child_process";

/** Up to 10 minutes waiting for the lock, then the install itself: a hook that installs needs this long. */
export const INSTALL_TIMEOUT_MS = 900_000;

const LOCK = ["-o", "DPkg::Lock::Timeout=600"];

/** Whether `command` is on the PATH. */
export function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", 'command -v "$1"', "sh", command], { stdio: "ignore" }).status === 0;
}

/**
 * Installs `packages` unless `present()` says they are there already; throws
 * a message with the command to run by hand when they cannot be installed.
 */
export function aptInstall(packages: readonly string[], present: () => boolean): void {
  if (present()) return;
  const byHand = `sudo apt-get install -y ${packages.join(" ")}`;
  if (process.getuid?.() !== 0) throw new Error(`${packages.join(" ")} is not installed (tests install it only as root): ${byHand}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args: string[]) => spawnSync("apt-get", [...LOCK, ...args], { encoding: "utf8", env, timeout: INSTALL_TIMEOUT_MS });
  const install = ["install", "-y", "-qq", "--no-install-recommends", ...packages];
  let result = apt(install);
  if (!present()) {
    apt(["update", "-qq"]);
    result = apt(install);
  }
  if (!present()) {
    const said = `${result.stderr ?? ""}${result.error ? String(result.error) : ""}`.trim().slice(-2000);
    throw new Error(`${packages.join(" ")} could not be installed with apt-get${said ? `:\n${said}` : ""}\nby hand: ${byHand}`);
  }
}

/** Prometheus and its promtool. */
export function ensurePrometheus(): void {
  aptInstall(["prometheus"], () => onPath("prometheus") && onPath("promtool"));
}

/**
 * A real OpenSSH server for the remote-attach tests: /usr/sbin/sshd (Debian's openssh-server, installed
 * with apt-get when missing, as the Prometheus and chromium tests install theirs) in the foreground on
 * 127.0.0.1 and a free port, with its own host key and authorized_keys in a temp folder; and an
 * ssh_config for the client (`ssh -F`, what CLAUDE_AGENT_SSH_CONFIG names) sending every host name there
 * with a key made for the test.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "../security/redis-support.js";
import { aptInstall, onPath } from "../helpers/debian.js";
import { waitFor } from "../helpers/wait.js";

const SSHD = "/usr/sbin/sshd";

export interface Sshd {
  readonly port: number;
  /** The client's ssh_config: `Host *` → 127.0.0.1:port, the test's key, its own known_hosts. */
  readonly clientConfig: string;
  /** The user the server lets in: this process's. */
  readonly user: string;
  /** What sshd logged (stderr, `-e`). */
  log(): string;
  stop(): Promise<void>;
}

/** sshd and ssh-keygen (test/helpers/debian.ts installs them when missing). */
export function sshdPath(): string {
  aptInstall(["openssh-server", "openssh-client"], () => existsSync(SSHD) && onPath("ssh-keygen"));
  return SSHD;
}

export async function startSshd(): Promise<Sshd> {
  const sshd = sshdPath();
  const dir = mkdtempSync(join(tmpdir(), "ca-sshd-"));
  const port = await freePort();
  const user = userInfo().username;
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host_key")]);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "id_ed25519")]);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "id_ed25519.pub")), { mode: 0o600 });
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_key")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      // The temp folder is not laid out as sshd's StrictModes wants a home's .ssh to be.
      "StrictModes no",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "PermitRootLogin prohibit-password",
      `AllowUsers ${user}`,
      "PrintMotd no",
      "PrintLastLog no",
      "LogLevel VERBOSE",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "ssh_config"),
    [
      "Host *",
      "  HostName 127.0.0.1",
      `  Port ${port}`,
      `  IdentityFile ${join(dir, "id_ed25519")}`,
      "  IdentitiesOnly yes",
      `  UserKnownHostsFile ${join(dir, "known_hosts")}`,
      "  StrictHostKeyChecking accept-new",
      "  BatchMode yes",
      "  LogLevel ERROR",
      "",
    ].join("\n"),
  );
  // sshd (as root) wants its privilege-separation folder, which Debian's service unit makes at start.
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  let logged = "";
  const child: ChildProcess = spawn(sshd, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  child.stderr!.on("data", (chunk: Buffer) => {
    logged += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      "sshd to listen",
      async () => {
        if (child.exitCode !== null) throw new Error(`sshd exited: ${logged}`);
        return new Promise<boolean>((resolve) => {
          const conn = createConnection({ host: "127.0.0.1", port }, () => (conn.destroy(), resolve(true)));
          conn.on("error", () => resolve(false));
        });
      },
      { timeoutMs: 30_000 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, clientConfig: join(dir, "ssh_config"), user, log: () => logged, stop };
}

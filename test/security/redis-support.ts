import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Real redis-servers on private TCP ports for the security tests: plain, with
 * a password, with an ACL user, TLS-only with a throwaway CA. Each is a child
 * of the test process, killed by stop().
 */
export interface TcpRedis {
  readonly host: string;
  readonly port: number;
  /** `redis://[userinfo@]host:port` (`rediss://` for a TLS server). */
  url(userinfo?: string): string;
  stop(): Promise<void>;
}

export interface TlsFiles {
  readonly dir: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(host: string, port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const conn = createConnection({ host, port }, () => (conn.destroy(), resolve(true)));
      conn.on("error", () => resolve(false));
    });
    if (up) return;
    await sleep(20);
  }
  throw new Error(`no redis-server on ${host}:${port}: ${log()}`);
}

/** A redis-server on `host` (default loopback) and a free port, with extra arguments; `tls` makes it TLS-only. */
export async function startTcpRedis(options: { host?: string; args?: readonly string[]; tls?: TlsFiles } = {}): Promise<TcpRedis> {
  const host = options.host ?? "127.0.0.1";
  const port = await freePort(host);
  const dir = mkdtempSync(join(tmpdir(), "ca-sec-redis-"));
  const listen = options.tls
    ? [
        "--port",
        "0",
        "--tls-port",
        String(port),
        "--tls-cert-file",
        options.tls.cert,
        "--tls-key-file",
        options.tls.key,
        "--tls-ca-cert-file",
        options.tls.ca,
        "--tls-auth-clients",
        "no",
      ]
    : ["--port", String(port)];
  const logFile = join(dir, "redis.log");
  const child = spawn(
    "redis-server",
    [
      "--bind",
      host,
      ...listen,
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--logfile",
      logFile,
      "--maxmemory-policy",
      "noeviction",
      ...(options.args ?? []),
    ],
    { stdio: "ignore" },
  );
  const log = (): string => {
    try {
      return readFileSync(logFile, "utf8").split("\n").slice(-5).join("\n");
    } catch {
      return "(no log)";
    }
  };
  await waitForPort(host, port, child, log);
  const scheme = options.tls ? "rediss" : "redis";
  return {
    host,
    port,
    url: (userinfo) => `${scheme}://${userinfo ? `${userinfo}@` : ""}${host}:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A throwaway CA and a server certificate for 127.0.0.1 and localhost, made with openssl. */
export function makeTlsFiles(): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), "ca-sec-tls-"));
  const at = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync("openssl", args, { stdio: "ignore" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", at("ca.key"), "-out", at("ca.pem"), "-days", "1", "-subj", "/CN=claude-agent test CA");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", at("server.key"), "-out", at("server.csr"), "-subj", "/CN=localhost");
  writeFileSync(at("ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(
    "x509",
    "-req",
    "-in",
    at("server.csr"),
    "-CA",
    at("ca.pem"),
    "-CAkey",
    at("ca.key"),
    "-CAcreateserial",
    "-out",
    at("server.pem"),
    "-days",
    "1",
    "-extfile",
    at("ext"),
  );
  return { dir, ca: at("ca.pem"), cert: at("server.pem"), key: at("server.key") };
}

/** The first address of this machine that is not loopback, or null (the remote-without-TLS test needs one). */
export function nonLoopbackAddress(): string | null {
  try {
    const first = execFileSync("hostname", ["-I"], { encoding: "utf8" })
      .trim()
      .split(/\s+/)
      .find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a) && !a.startsWith("127."));
    return first ?? null;
  } catch {
    return null;
  }
}

/**
 * The key prefix a home's clients use, read the way both the old and the new code can be tested: the
 * prefix recorded in the home's marker, else `ca` (the one prefix of homes before swarms had names).
 */
export function prefixOf(home: string): string {
  try {
    const marker = JSON.parse(readFileSync(join(home, ".claude-agent-home"), "utf8")) as { prefix?: string };
    return marker.prefix ?? "ca";
  } catch {
    return "ca";
  }
}

import { createConnection, createServer, type Server } from "node:net";
import { UsageError } from "./errors.js";
import { readHomeMarker } from "./home-marker.js";
import { processStartTime } from "./process-identity.js";

/**
 * One process at a time owns a home: the daemon (`up`) for its whole life, or
 * `down` while it stops what the daemon left. The lock is a unix socket in
 * Linux's abstract namespace, named by the home's secret id: binding it is
 * atomic (a second bind fails with EADDRINUSE), and the kernel frees it the
 * moment its process dies, `kill -9` included, so a lock is never stale and
 * never has to be broken. Node has no flock(2); a socket file in run/ would
 * outlive its process and need exactly that breaking, which races. Whoever
 * connects is told the holder's pid, start time and role.
 *
 * Limits: Linux only; the name is per network namespace, so two `up` in
 * different network namespaces sharing one home folder do not see each other.
 * Other users cannot read the home's id, so they cannot take the name first.
 */
export interface LockHolder {
  readonly pid: number;
  /** /proc/<pid>/stat start time: with the pid, identifies the process beyond pid reuse. */
  readonly start: string;
  /** What holds it: "up" (the daemon) or "down". */
  readonly role: string;
}

export interface HomeLock {
  readonly holder: LockHolder;
  /** Frees the home; idempotent. */
  release(): Promise<void>;
}

const ASK_TIMEOUT_MS = 1000;

function lockName(root: string): string {
  const id = readHomeMarker(root)?.id;
  if (!id) throw new UsageError(`${root} is not a swarm home (no marker with an id)`, { hint: "Start it once with `claude-agent up`." });
  return `\0claude-agent-home-${id}`;
}

/** Takes the home's lock or throws UsageError naming the process that holds it. Call ensureHome first. */
export async function acquireHomeLock(root: string, role: string): Promise<HomeLock> {
  const name = lockName(root);
  const holder: LockHolder = { pid: process.pid, start: processStartTime(process.pid) ?? "", role };
  const server = createServer((socket) => {
    socket.on("error", () => undefined);
    socket.end(`${JSON.stringify(holder)}\n`);
  });
  const bound = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    server.once("error", resolve);
    server.listen({ path: name }, () => resolve(null));
  });
  if (bound) {
    server.close();
    if (bound.code !== "EADDRINUSE") throw bound;
    throw inUse(root, await homeLockHolder(root));
  }
  server.on("error", () => undefined);
  // The lock must not keep a finished CLI alive; the daemon has other reasons to live.
  server.unref();
  let released: Promise<void> | null = null;
  return {
    holder,
    release: () => (released ??= closeServer(server)),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function inUse(root: string, holder: LockHolder | "silent" | null): UsageError {
  if (holder === null || holder === "silent") {
    return new UsageError(`the home ${root} is in use by another process that does not answer`, {
      hint: "It may be stopped (SIGSTOP) or busy; try again shortly.",
    });
  }
  if (holder.role === "down") {
    return new UsageError(`the home ${root} is being stopped by \`claude-agent down\` (pid ${holder.pid})`, { hint: "Wait for it to finish, then try again." });
  }
  return new UsageError(`the swarm in ${root} is already running (pid ${holder.pid})`, {
    hint: "Stop it with `claude-agent down`, or use it: `claude-agent status`.",
    context: { pid: holder.pid },
  });
}

/**
 * Who holds the home's lock: null when nobody does, "silent" when a holder accepts
 * the connection but says nothing within a second (a stopped process).
 */
export async function homeLockHolder(root: string): Promise<LockHolder | "silent" | null> {
  let name: string;
  try {
    name = lockName(root);
  } catch {
    return null; // no marker: no up of this version ever ran here
  }
  return new Promise((resolve) => {
    let text = "";
    const socket = createConnection({ path: name });
    const done = (value: LockHolder | "silent" | null): void => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(ASK_TIMEOUT_MS, () => done("silent"));
    socket.on("error", () => done(null));
    socket.on("data", (chunk) => (text += chunk.toString("utf8")));
    socket.on("end", () => done(parseHolder(text)));
  });
}

function parseHolder(text: string): LockHolder | "silent" {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === "number" && typeof value.start === "string" && typeof value.role === "string") {
      return { pid: value.pid, start: value.start, role: value.role };
    }
  } catch {
    // not one of ours
  }
  return "silent";
}

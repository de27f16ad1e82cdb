/**
 * The bubblewrap command line of a sandboxed agent: a pure function of the
 * paths involved, so that the mount plan reads (and is tested) as a whole.
 *
 * Order matters, later mounts cover earlier ones:
 *   1. the whole filesystem read-only, a fresh /dev and /proc, a private /tmp;
 *   2. other agents' folders hidden (unless they hold or lie inside ours);
 *   3. the agent's working tree and `writable` paths writable;
 *   4. the swarm's home hidden (its sockets, job files, Redis files and the
 *      other agents' config and worktrees with it);
 *   5. back on top, read-only, what this run needs that a hidden folder covers
 *      (the program, node, a worktree's repository under /tmp); then, the
 *      few things under the home this run needs: its
 *      worktree (or a project folder kept in the home), its agent's config
 *      folder, the dispatch's own files; then swarm.yaml (every agent's env
 *      values) replaced by an empty file, wherever it is;
 *   6. `.git/hooks` and `.git/config` of its working trees (and a worktree's
 *      `.git` file) read-only: git runs code they name, and the bridge runs
 *      git in worktrees outside the sandbox.
 * Namespaces: a pid namespace (the task sees no other process, and all of it
 * dies with bwrap: a time limit leaves nothing behind), ipc, optionally net;
 * no capabilities (as root bwrap would keep them all); for tasks typed into a
 * shell pane, a new session, so the pane's terminal is not the task's
 * controlling tty and it cannot push keystrokes into the pane's shell
 * (TIOCSTI, CVE-2017-5226).
 */
import { sep } from "node:path";

export interface SandboxPlan {
  readonly network: boolean;
  /** The folder it starts in. */
  readonly cwd: string;
  /** Writable: its working tree (the worktree's top, or cwd) and its `writable` paths. */
  readonly writable: readonly string[];
  /** The swarm's home: hidden, except `exposed` below. */
  readonly home: string;
  /** swarm.yaml, when it is a file (replaced by an empty file). */
  readonly configFile: string | null;
  /** Other agents' folders (cwd, writable paths): hidden when disjoint from ours. */
  readonly others: readonly string[];
  /** Paths this run needs that must stay visible (the program, node, our renderer): never hidden with another agent's folder. */
  readonly needed: readonly string[];
  /** Under the home or elsewhere: bound back after the home is hidden. */
  readonly exposed: readonly { readonly path: string; readonly writable: boolean }[];
  /** Git metadata to keep read-only: existing `.git/hooks`, `.git/config`, and worktree `.git` files (see gitGuards). */
  readonly readOnly: readonly string[];
  /** A task typed into a shell pane: detach it from the pane's terminal. */
  readonly newSession: boolean;
  /** Drop every capability (needed when bwrap runs as root, which otherwise keeps them all). */
  readonly dropCapabilities: boolean;
}

export function bwrapArgs(plan: SandboxPlan): string[] {
  const args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"];
  const hidden = ["/tmp"];
  const hide = (path: string): void => {
    if (hidden.some((h) => within(path, h))) return;
    args.push("--tmpfs", path);
    hidden.push(path);
  };
  const ours = [...plan.writable, plan.cwd];
  for (const other of plan.others) {
    if (ours.some((mine) => within(mine, other) || within(other, mine))) continue;
    if (plan.needed.some((path) => within(path, other))) continue;
    hide(other);
  }
  const writable = [...new Set(plan.writable)].sort(byDepth);
  for (const path of writable) if (!within(path, plan.home)) args.push("--bind", path, path);
  hide(plan.home);
  // What this run needs (the program, node, our renderer, a worktree's repository) where a private /tmp, the
  // home or another agent's folder hid it: a repository under /tmp made every git gate fail "not a git repository".
  for (const path of [...new Set(plan.needed)].sort(byDepth)) if (hidden.some((dir) => within(path, dir))) args.push("--ro-bind", path, path);
  const back = [...writable.filter((path) => within(path, plan.home)).map((path) => ({ path, writable: true })), ...plan.exposed];
  for (const { path, writable: rw } of back.sort((a, b) => byDepth(a.path, b.path))) args.push(rw ? "--bind" : "--ro-bind", path, path);
  // Last, so that no folder bound above shows it again (a project folder kept in the home, say); not where nothing shows it.
  const config = plan.configFile;
  if (config && (!hidden.some((dir) => within(config, dir)) || back.some(({ path }) => within(config, path)))) args.push("--ro-bind", "/dev/null", config);
  for (const path of plan.readOnly) args.push("--ro-bind", path, path);
  args.push("--unshare-pid", "--unshare-ipc", "--die-with-parent");
  if (!plan.network) args.push("--unshare-net");
  if (plan.newSession) args.push("--new-session");
  if (plan.dropCapabilities) args.push("--cap-drop", "ALL");
  args.push("--chdir", plan.cwd, "--");
  return ["bwrap", ...args];
}

/** `path` is `dir` or inside it. */
export function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

function byDepth(a: string, b: string): number {
  return a.split(sep).length - b.split(sep).length || a.localeCompare(b);
}

/** The least a sandbox needs to start (a mount and a pid namespace, no capabilities as root): `up` and `doctor` try it. */
export function bwrapProbeArgs(dropCapabilities: boolean): string[] {
  return [
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--tmpfs",
    "/tmp",
    "--unshare-pid",
    "--die-with-parent",
    ...(dropCapabilities ? ["--cap-drop", "ALL"] : []),
    "--",
    "true",
  ];
}

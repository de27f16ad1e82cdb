import { describe, expect, it } from "vitest";
import { bwrapArgs, type SandboxPlan } from "./sandbox-plan.js";

const PLAN: SandboxPlan = {
  network: true,
  cwd: "/srv/app",
  writable: ["/srv/app", "/srv/cache"],
  home: "/var/lib/swarm",
  configFile: "/srv/swarm.yaml",
  others: [],
  needed: [],
  exposed: [],
  readOnly: [],
  newSession: true,
  dropCapabilities: true,
};

/** The mount operations in order, as [option, destination]. */
function mounts(args: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--bind" || arg === "--ro-bind") out.push([arg, args[i + 2]!]), (i += 2);
    else if (arg === "--tmpfs" || arg === "--dev" || arg === "--proc") out.push([arg, args[i + 1]!]), (i += 1);
  }
  return out;
}

const position = (args: readonly string[], op: string, path: string): number => mounts(args).findIndex(([o, p]) => o === op && p === path);

describe("the bubblewrap mount plan", () => {
  it("starts from the whole filesystem read-only, a fresh /dev and /proc and a private /tmp, and ends with the command separator", () => {
    const args = bwrapArgs(PLAN);
    expect(args[0]).toBe("bwrap");
    expect(mounts(args).slice(0, 4)).toEqual([
      ["--ro-bind", "/"],
      ["--dev", "/dev"],
      ["--proc", "/proc"],
      ["--tmpfs", "/tmp"],
    ]);
    expect(args.slice(-3)).toEqual(["--chdir", "/srv/app", "--"]);
  });

  it("makes its folder and writable paths writable, then hides the home and puts an empty file over swarm.yaml", () => {
    const args = bwrapArgs(PLAN);
    expect(position(args, "--bind", "/srv/app")).toBeGreaterThan(0);
    expect(position(args, "--bind", "/srv/cache")).toBeGreaterThan(0);
    expect(position(args, "--tmpfs", "/var/lib/swarm")).toBeGreaterThan(position(args, "--bind", "/srv/app"));
    expect(args.join(" ")).toContain("--ro-bind /dev/null /srv/swarm.yaml");
  });

  it("hides a home inside its folder after binding the folder, so the folder does not reveal it", () => {
    const args = bwrapArgs({ ...PLAN, home: "/srv/app/.claude-agent" });
    expect(position(args, "--tmpfs", "/srv/app/.claude-agent")).toBeGreaterThan(position(args, "--bind", "/srv/app"));
  });

  it("binds back, after hiding the home, only what the run needs under it: its worktree, config folder and dispatch files", () => {
    const home = "/var/lib/swarm";
    const args = bwrapArgs({
      ...PLAN,
      cwd: `${home}/worktrees/coder-1/src`,
      writable: [`${home}/worktrees/coder-1`],
      exposed: [
        { path: `${home}/agents/coder/config`, writable: true },
        { path: `${home}/jobs/t-1.prompt`, writable: false },
        { path: `${home}/jobs/t-1.events.jsonl`, writable: true },
      ],
      readOnly: [`${home}/worktrees/coder-1/.git`],
    });
    const hidden = position(args, "--tmpfs", home);
    for (const [op, path] of [
      ["--bind", `${home}/worktrees/coder-1`],
      ["--bind", `${home}/agents/coder/config`],
      ["--ro-bind", `${home}/jobs/t-1.prompt`],
      ["--bind", `${home}/jobs/t-1.events.jsonl`],
    ]) {
      expect(position(args, op!, path!), path).toBeGreaterThan(hidden);
    }
    // The worktree's .git file (where git finds its repository) is read-only, over the writable tree.
    expect(position(args, "--ro-bind", `${home}/worktrees/coder-1/.git`)).toBeGreaterThan(position(args, "--bind", `${home}/worktrees/coder-1`));
    expect(mounts(args).some(([, p]) => p === `${home}/jobs`)).toBe(false);
  });

  it("hides other agents' folders, except those holding or inside its own, or holding what it needs", () => {
    const args = bwrapArgs({ ...PLAN, others: ["/srv/api", "/srv", "/srv/app/frontend", "/opt/tools", "/home/dev"], needed: ["/opt/tools/node/bin/node"] });
    expect(position(args, "--tmpfs", "/srv/api")).toBeGreaterThan(0);
    expect(position(args, "--tmpfs", "/home/dev")).toBeGreaterThan(0);
    for (const kept of ["/srv", "/srv/app/frontend", "/opt/tools"]) expect(position(args, "--tmpfs", kept), kept).toBe(-1);
    expect(position(args, "--tmpfs", "/srv/api")).toBeLessThan(position(args, "--bind", "/srv/app"));
  });

  it("takes the network away only when told, detaches from the pane's terminal for shell tasks, and drops capabilities when asked", () => {
    const open = bwrapArgs(PLAN);
    expect(open).not.toContain("--unshare-net");
    expect(open).toEqual(expect.arrayContaining(["--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session"]));
    expect(open.join(" ")).toContain("--cap-drop ALL");
    const closed = bwrapArgs({ ...PLAN, network: false, newSession: false, dropCapabilities: false });
    expect(closed).toContain("--unshare-net");
    expect(closed).not.toContain("--new-session");
    expect(closed).not.toContain("--cap-drop");
  });

  it("binds back read-only what the run needs where a hidden folder covers it (a repository under /tmp, a program in the home), and nothing else", () => {
    const args = bwrapArgs({ ...PLAN, needed: ["/tmp/project/.git", "/var/lib/swarm/bin/claude", "/usr/bin/node"] });
    expect(position(args, "--ro-bind", "/tmp/project/.git")).toBeGreaterThan(position(args, "--tmpfs", "/tmp"));
    expect(position(args, "--ro-bind", "/var/lib/swarm/bin/claude")).toBeGreaterThan(position(args, "--tmpfs", "/var/lib/swarm"));
    expect(position(args, "--ro-bind", "/usr/bin/node")).toBe(-1);
    expect(position(args, "--bind", "/tmp/project/.git")).toBe(-1);
  });

  it("does not hide again what is hidden already: a home under the private /tmp, a swarm.yaml in the hidden home", () => {
    const args = bwrapArgs({ ...PLAN, home: "/tmp/ca-x", configFile: "/tmp/ca-x/swarm.yaml" });
    expect(position(args, "--tmpfs", "/tmp/ca-x")).toBe(-1);
    expect(args.join(" ")).not.toContain("/dev/null /tmp/ca-x/swarm.yaml");
  });

  it("puts the empty swarm.yaml over the real one after every bind, so that a project folder kept in the home does not show it", () => {
    const args = bwrapArgs({ ...PLAN, cwd: "/var/lib/swarm/project", writable: ["/var/lib/swarm/project"], configFile: "/var/lib/swarm/project/swarm.yaml" });
    expect(position(args, "--ro-bind", "/var/lib/swarm/project/swarm.yaml")).toBeGreaterThan(position(args, "--bind", "/var/lib/swarm/project"));
    expect(position(args, "--bind", "/var/lib/swarm/project")).toBeGreaterThan(position(args, "--tmpfs", "/var/lib/swarm"));
  });
});

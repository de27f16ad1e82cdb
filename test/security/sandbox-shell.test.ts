/**
 * Finding 3 (c): `sandbox: bwrap` runs each task of a shell agent in
 * bubblewrap. Tried as an attacker would, from inside a task: the swarm's
 * home (sockets, job files, Redis files), swarm.yaml and the other agents'
 * folders are invisible; its own folder and `writable` paths are writable
 * and nothing else is; /tmp is its own; the network is off when the agent
 * says so; it cannot push keystrokes into its pane's shell; a time limit
 * ends everything it started. And the awkward-input corpus runs exactly as
 * `bash -c` runs it, in the sandbox too.
 *
 * Everything lives under /var/tmp, not /tmp: the sandbox's private /tmp
 * would hide folders under /tmp whether or not the mount plan hides them.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripAnsi, type TaskResult } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { bashC, CORPUS } from "../fixtures/spine/corpus.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

const BASE = mkdtempSync("/var/tmp/ca-sbx-");
const WORK = join(BASE, "work");
const EXTRA = join(BASE, "extra");
const OFFLINE = join(BASE, "offline");
const NEIGHBOUR = join(BASE, "neighbour");
const HOME = join(BASE, "h");

const YAML = `
agents:
  - name: boxed
    runtime: shell
    cwd: ${WORK}
    sandbox: { network: true, writable: [${EXTRA}] }
    env: { OWN_SETTING: agent-own }
    timeout: 30
  - name: offline
    runtime: shell
    cwd: ${OFFLINE}
    sandbox: { network: false }
    timeout: 30
  - name: neighbour
    runtime: shell
    cwd: ${NEIGHBOUR}
    sandbox: none
    env: { NEIGHBOUR_SETTING: theirs }
    timeout: 30
`;

describe("a task of a sandboxed shell agent", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    for (const dir of [WORK, EXTRA, OFFLINE, NEIGHBOUR, HOME]) mkdirSync(dir, { recursive: true });
    writeFileSync(join(NEIGHBOUR, "private.txt"), "the neighbour's notes\n");
    server = createServer((socket) => socket.end("hello from the host\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
    swarm = await startTestSwarm(YAML, { home: HOME });
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
    server?.close();
    rmSync(BASE, { recursive: true, force: true });
  });

  async function run(task: string, agent = "boxed"): Promise<TaskResult> {
    const handle = await client.submit({ task, agent });
    return handle.result({ signal: AbortSignal.timeout(45_000) });
  }

  it("sees nothing of the swarm's home: no tmux or Redis socket, no job files, no Redis data, no config", async () => {
    const { paths } = swarm;
    const probes = [paths.tmuxSocket, paths.redisSocket, paths.redisDir, paths.configCopy, paths.logsDir, join(HOME, "swarm.yaml")];
    const result = await run(
      [
        ...probes.map((path) => `if [ -s '${path}' ] || [ -S '${path}' ] || [ -d '${path}' ]; then echo "visible ${path}"; fi`),
        `ls -A '${paths.jobsDir}' 2>&1 | grep -v '\\.sh$' || true`,
        `cat '${paths.jobsDir}'/*.meta 2>&1 | head -1`,
        "echo checked",
      ].join("\n"),
    );
    expect(result.status).toBe("completed");
    expect(result.output).not.toContain("visible");
    expect(result.output).toMatch(/No such file or directory\nchecked\n$/);
  });

  it("cannot type into another agent's pane or rewrite a result through the swarm's sockets", async () => {
    const { paths } = swarm;
    const result = await run(
      [
        `tmux -S '${paths.tmuxSocket}' send-keys -t neighbour-1 'touch ${join(NEIGHBOUR, "typed")}' Enter; echo "tmux=$?"`,
        `redis-cli -s '${paths.redisSocket}' ping; echo "redis=$?"`,
        `node -e 'require("net").connect(process.argv[1]).on("connect", () => console.log("connected")).on("error", (e) => console.log(e.code))' '${paths.redisSocket}'`,
      ].join("\n"),
    );
    expect(result.output).toMatch(/tmux=1\n/);
    expect(result.output).not.toContain("PONG");
    expect(result.output).toContain("ENOENT");
    expect(result.output).not.toContain("connected");
    const neighbour = await run("ls -A", "neighbour");
    expect(neighbour.output).toBe("private.txt\n");
  });

  it("writes its own folder and its `writable` paths, and nothing else: the rest is read-only, other agents' folders hidden", async () => {
    const result = await run(
      [
        "echo mine > own.txt && echo own-ok",
        `echo extra > '${EXTRA}/extra.txt' && echo extra-ok`,
        "touch /etc/claude-agent-sandbox-probe 2>&1",
        `touch '${BASE}/beside' 2>&1`,
        `ls -A '${NEIGHBOUR}' 2>&1; cat '${NEIGHBOUR}/private.txt' 2>&1`,
        `echo x > '${NEIGHBOUR}/planted' 2>&1`,
      ].join("\n"),
    );
    expect(result.output).toContain("own-ok\nextra-ok\n");
    expect(result.output).toContain("touch: cannot touch '/etc/claude-agent-sandbox-probe': Read-only file system");
    expect(result.output).toContain(`touch: cannot touch '${BASE}/beside': Read-only file system`);
    expect(result.output).not.toContain("the neighbour's notes");
    expect(readFileSync(join(WORK, "own.txt"), "utf8")).toBe("mine\n");
    expect(readFileSync(join(EXTRA, "extra.txt"), "utf8")).toBe("extra\n");
    expect(existsSync(join(BASE, "beside"))).toBe(false);
    expect(readdirSync(NEIGHBOUR)).toEqual(["private.txt"]);
  });

  it("has a /tmp of its own, gone when it ends", async () => {
    const marker = `ca-sbx-${Date.now()}`;
    const result = await run(`echo inside > /tmp/${marker}; ls /tmp`);
    expect(result.output).toBe(`${marker}\n`);
    expect(existsSync(join("/tmp", marker))).toBe(false);
  });

  it("keeps its agent's env and gets no swarm variable", async () => {
    const result = await run("env");
    expect(result.output).toContain("OWN_SETTING=agent-own\n");
    for (const name of ["TMUX", "TMUX_PANE", "CA_HOME", "CA_SESSION", "CA_AGENT", "CLAUDE_AGENT_HOME", "REDIS_URL", "NEIGHBOUR_SETTING"]) {
      expect(result.output, name).not.toMatch(new RegExp(`^${name}=`, "m"));
    }
  });

  it("reaches the network when its agent allows it, and not when `network: false`", async () => {
    const probe = `node -e 'require("net").connect(${port}, "127.0.0.1").on("data", (d) => process.stdout.write(String(d))).on("error", (e) => console.log(e.code))'`;
    expect((await run(probe)).output).toBe("hello from the host\n");
    expect((await run(probe, "offline")).output).toMatch(/^(ECONNREFUSED|ENETUNREACH)\n$/);
  });

  it("cannot push keystrokes into its pane's shell (TIOCSTI): the pane's terminal is not its controlling terminal", async () => {
    const planted = join(WORK, "typed-by-the-task");
    const result = await run(`perl -e 'for (split //, "touch ${planted}\\n") { ioctl(STDIN, 0x5412, $_) or die "ioctl: $!\\n" }'`);
    expect(result.output).toMatch(/^ioctl: (Operation not permitted|Input\/output error|Inappropriate ioctl for device)\n$/);
    await run("true"); // the pane's shell has read whatever was typed by now
    expect(existsSync(planted)).toBe(false);
  });

  it("leaves nothing running after its time limit, even what ignores Ctrl-C or left the task behind", async () => {
    const tag = `ca-sbx-left-${Date.now()}`;
    const handle = await client.submit({ task: `trap '' INT; (exec -a ${tag} sleep 600) & exec -a ${tag} sleep 600`, agent: "boxed", timeout: 2 });
    const result = await handle.result({ signal: AbortSignal.timeout(30_000) });
    expect(result).toMatchObject({ status: "timeout", reason: "exceeded its time limit of 2s and was interrupted" });
    expect(running(tag)).toEqual([]);
    expect(await run("echo next")).toMatchObject({ status: "completed", output: "next\n" });
  });

  for (const [name, text] of CORPUS) {
    it(`runs ${name} exactly as bash -c does`, async () => {
      const expected = bashC(text, WORK);
      const result = await run(text);
      expect(result.exitCode).toBe(expected.exitCode);
      expect(readFileSync(result.outputFile!).toString("latin1")).toBe(expected.raw.toString("latin1"));
      expect(result.output).toBe(stripAnsi(expected.raw.toString("utf8")));
    });
  }
});

/** Processes whose command line starts with `tag`. */
function running(tag: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith(tag);
      } catch {
        return false;
      }
    })
    .map(Number);
}

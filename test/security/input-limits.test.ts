/**
 * Issue 11, finding 7: input limits. A NUL byte, text that is not UTF-8 and a
 * task over the swarm's size limit are refused at every entry point (CLI
 * --task-file and stdin, the SDK, workflow params), with a clear message and
 * exit 2, and nothing is stored; the limit is `limits.task_bytes`.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { WorkflowClient } from "../../workflows/index.js";
import { runCli, startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { clientInternals } from "../../client/index.js";

/** Nine lists of ten aliases of the one before: 10^9 nodes if expanded. */
const ALIAS_BOMB = [
  "a: &a [x, x, x, x, x, x, x, x, x, x]",
  ...Array.from(
    { length: 8 },
    (_, i) =>
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
        .fill(`*${String.fromCharCode(97 + i)}`)
        .join(", ")}]`,
  ),
].join("\n");

describe("task input through a real swarm", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let files: string;

  beforeAll(async () => {
    files = mkdtempSync(join(tmpdir(), "ca-sec-input-"));
    swarm = await startTestSwarm("agents:\n  - name: sh\n    runtime: shell\n");
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  const file = (name: string, bytes: string | Uint8Array): string => {
    const path = join(files, name);
    writeFileSync(path, bytes);
    return path;
  };
  const taskCount = (): Promise<number> => clientInternals(client.client).redis.zcard(clientInternals(client.client).ledger.keys.taskIndex);

  it("refuses a --task-file with a NUL byte, naming the file (it used to be cut at the NUL, or the NUL dropped)", async () => {
    const before = await taskCount();
    const path = file("nul.sh", "echo safe\0; mkfs\n");
    const result = swarm.cli(["submit", "--agent", "sh", "--task-file", path]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`error: --task-file ${path}: binary data, not text (a NUL byte at byte 9)`);
    expect(await taskCount()).toBe(before);
  });

  it("refuses the same text on stdin", () => {
    const result = swarm.cli(["submit", "--agent", "sh", "--task-file", "-"], { input: "mk\0fs /dev/sda\n" });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("error: --task-file (stdin): binary data, not text (a NUL byte at byte 2)");
  });

  it("refuses a --task-file that is not UTF-8 instead of turning its bytes into U+FFFD", () => {
    const path = file("latin1.sh", Buffer.from("echo caf\xe9\n", "latin1"));
    const result = swarm.cli(["submit", "--agent", "sh", "--task-file", path]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`error: --task-file ${path}: not UTF-8 text (an invalid byte 0xe9 at byte 8)`);
  });

  it("refuses NUL bytes and unpaired surrogates from the SDK, storing nothing", async () => {
    const before = await taskCount();
    await expect(client.submit({ task: "mk\0fs", agent: "sh" })).rejects.toThrow(UsageError);
    await expect(client.submit({ task: "mk\0fs", agent: "sh" })).rejects.toThrow("the task text contains a NUL byte (character 2)");
    await expect(client.submit({ task: "echo \ud800", agent: "sh" })).rejects.toThrow(
      "the task text is not valid Unicode (an unpaired surrogate at character 5)",
    );
    expect(await taskCount()).toBe(before);
  });

  it("refuses a 2 MiB task under the default 1 MiB limit, from the CLI (naming the file) and from the SDK", async () => {
    const path = file("two-mib.sh", `# ${"z".repeat(2 * 1024 * 1024)}\necho done\n`);
    const result = swarm.cli(["submit", "--agent", "sh", "--task-file", path]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`error: --task-file ${path}: the task text is 2097165 bytes (2 MiB), over this swarm's limit of 1048576 bytes (1 MiB)`);
    await expect(client.submit({ task: `# ${"z".repeat(2 * 1024 * 1024)}`, agent: "sh" })).rejects.toThrow("over this swarm's limit of 1048576 bytes (1 MiB)");
  });

  it("refuses a workflow file with a YAML alias bomb at `workflow run` (exit 2 with its path; it was 70)", () => {
    const path = file("bomb.yaml", `name: bomb\nsteps: [{ id: a, agent: sh, task: echo }]\n${ALIAS_BOMB}\n`);
    const ran = swarm.cli(["workflow", "run", "--file", path]);
    expect(ran.exitCode).toBe(2);
    expect(ran.stderr).toContain(`${path}: Excessive alias count indicates a resource exhaustion attack`);
  });

  it("refuses a workflow param with a NUL byte before the execution starts", async () => {
    const workflows = new WorkflowClient(client.client);
    const workflow = workflows.fromObject({ name: "w", params: { msg: { required: true } }, steps: [{ id: "s", agent: "sh", task: "echo hi" }] });
    await expect(workflows.start(workflow, { msg: "a\0b" })).rejects.toThrow('param "msg": contains a NUL byte at character 1');
    await workflows.close();
  });
});

describe("limits.task_bytes", () => {
  it("sets the largest task: one byte over is refused, the limit itself runs", async () => {
    const swarm = await startTestSwarm("agents:\n  - name: sh\n    runtime: shell\nlimits: { task_bytes: 4096 }\n");
    try {
      const client = await swarm.connect();
      const path = join(swarm.home, "big.sh");
      writeFileSync(path, `echo ${"x".repeat(4092)}`);
      const result = swarm.cli(["submit", "--agent", "sh", "--task-file", path]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`error: --task-file ${path}: the task text is 4097 bytes (4 KiB), over this swarm's limit of 4096 bytes (4 KiB)`);
      expect(result.stderr).toContain("limits: { task_bytes: N }");
      await expect(client.submit({ task: `echo ${"x".repeat(4092)}`, agent: "sh" })).rejects.toThrow("over this swarm's limit of 4096 bytes (4 KiB)");
      const task = `echo ${"y".repeat(4091)}`;
      expect(Buffer.byteLength(task)).toBe(4096);
      expect(await (await client.submit({ task, agent: "sh" })).result({ signal: AbortSignal.timeout(60_000) })).toMatchObject({
        status: "completed",
        output: `${"y".repeat(4091)}\n`,
      });
    } finally {
      await swarm.destroy();
    }
  });
});

describe("every malformed file the CLI reads exits 2 with its path", () => {
  const dir = mkdtempSync(join(tmpdir(), "ca-sec-files-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: string | Uint8Array): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const huge = (): string => {
    const path = write("huge.yaml", "");
    truncateSync(path, 5 * 1024 * 1024);
    return path;
  };

  const cases: readonly (readonly [what: string, make: () => string, message: (path: string) => string])[] = [
    ["missing", () => join(dir, "nope.yaml"), (p) => `cannot read FILE ${p}: no such file`],
    ["a folder", () => dir, (p) => `cannot read FILE ${p}: it is a folder, not a file`],
    [
      "binary",
      () => write("bin.yaml", Uint8Array.from([0x6e, 0x61, 0x6d, 0x65, 0x00, 0x01])),
      (p) => `FILE ${p}: binary data, not text (a NUL byte at byte 4)`,
    ],
    ["not UTF-8", () => write("latin1.yaml", Buffer.from("name: caf\xe9\n", "latin1")), (p) => `FILE ${p}: not UTF-8 text (an invalid byte 0xe9 at byte 9)`],
    ["over 4 MiB", huge, (p) => `FILE ${p}: too large (5 MiB; the limit is 4 MiB)`],
  ];

  it.each(cases)("swarm.yaml (`up --config`) that is %s", (_, make, message) => {
    const path = make();
    const result = runCli(["up", "--config", path], { home: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message(path).replace("FILE", "config file"));
  });

  it.each(cases)("a workflow file (`workflow validate`) that is %s", (_, make, message) => {
    const path = make();
    const result = runCli(["workflow", "validate", path], { home: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message(path).replace("FILE", "workflow file"));
  });

  it.each(cases.filter(([what]) => what !== "over 4 MiB"))("a --task-file that is %s (read before any swarm is needed)", (_, make, message) => {
    const path = make();
    const result = runCli(["submit", "--task-file", path], { home: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message(path).replace("FILE", "--task-file"));
  });

  it("a --task-file over the largest limit a swarm can have (64 MiB) is refused without being read", () => {
    const path = write("huge.sh", "");
    truncateSync(path, 65 * 1024 * 1024);
    const result = runCli(["submit", "--task-file", path], { home: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`--task-file ${path}: too large (65 MiB; the limit is 64 MiB)`);
  });

  it("a YAML alias bomb is refused as a problem of the file, not an internal error (exit 2, was 70)", () => {
    const workflow = write("bomb-workflow.yaml", `name: bomb\nsteps: [{ id: a, agent: x, task: echo }]\n${ALIAS_BOMB}\n`);
    const validated = runCli(["workflow", "validate", workflow], { home: dir });
    expect(validated.exitCode).toBe(2);
    expect(validated.stderr).toContain(`${workflow}: Excessive alias count indicates a resource exhaustion attack`);
    const config = write("bomb-swarm.yaml", `agents:\n  - { name: a, runtime: shell }\n${ALIAS_BOMB}\n`);
    const up = runCli(["up", "--config", config], { home: dir });
    expect(up.exitCode).toBe(2);
    expect(up.stderr).toContain("bomb-swarm.yaml: Excessive alias count indicates a resource exhaustion attack");
    expect(up.stderr).toContain(`hint: Fix ${config} and run the command again`);
  });

  it("a YAML syntax error names the file and the line", () => {
    const workflow = write("broken-workflow.yaml", "name: w\nsteps: [\n");
    const validated = runCli(["workflow", "validate", workflow], { home: dir });
    expect(validated.exitCode).toBe(2);
    expect(validated.stderr).toMatch(new RegExp(`${workflow.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: line \\d+, column \\d+: `));
    const config = write("broken-swarm.yaml", "agents: [\n");
    const up = runCli(["up", "--config", config], { home: dir });
    expect(up.exitCode).toBe(2);
    expect(up.stderr).toMatch(/broken-swarm\.yaml:\d+:\d+: /);
  });
});

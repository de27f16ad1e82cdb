/**
 * What the provisioning tests share (provision.test.ts with shell agents,
 * provision-claude.test.ts with the real Claude Code): real Ansible, free
 * ports, the person's side through the CLI (open inbox items, the execution's
 * end) and stopping what a successful run left running.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { executionOf, type InboxItem } from "../../core/index.js";
import { aptInstall, onPath } from "../helpers/debian.js";
import { waitFor } from "../helpers/wait.js";
import { cli, json } from "./support.js";

export const KIT = resolve(import.meta.dirname, "../../workflows/examples/provision");

/** ansible-core is a Debian package: installed by the test set-up when it is missing (CI machines start without it). */
export function ensureAnsible(): void {
  aptInstall(["ansible-core"], () => onPath("ansible-playbook"));
}

/** Whether a `terraform` binary is on the PATH (the workflows validate the Terraform files only then). */
export function terraformInstalled(): boolean {
  return spawnSync("terraform", ["version"]).status === 0;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
    server.on("error", fail);
  });
}

/** Stops the services a run left running (by their pid files, under the root only) and removes the root. */
export function removeRoot(root: string): void {
  const run = join(root, "run");
  for (const file of existsSync(run) ? readdirSync(run).filter((f) => f.endsWith(".pid")) : []) {
    const pid = Number(readFileSync(join(run, file), "utf8"));
    if (pid > 1) spawnSync("kill", [String(pid)]);
  }
  rmSync(root, { recursive: true, force: true });
}

/**
 * The open inbox item of this kind that the execution asks, as `claude-agent inbox --json` lists it.
 * An execution that ends first, or steps still running at the time-out, are named in the error.
 */
export async function openItem(home: string, executionId: string, kind: string, timeoutMs: number): Promise<InboxItem> {
  let steps = "";
  try {
    return await waitFor(
      `an open ${kind} item`,
      async () => {
        const { items } = json(await cli(home, ["inbox", "--json"])) as { items: InboxItem[] };
        const item = items.find((i) => i.kind === kind && executionOf(i.source) === executionId);
        if (item) return item;
        const state = json(await cli(home, ["workflow", "show", executionId, "--json"])) as EndedExecution;
        steps = Object.entries(state.steps)
          .map(([id, step]) => `${id}: ${step.status}${step.status === "failed" ? ` (output: ${step.output.slice(-1500)})` : ""}`)
          .join(", ");
        if (state.status !== "running") throw new Error(`the execution ended ${state.status} (${state.reason}) before an ${kind} item opened; steps: ${steps}`);
        return null;
      },
      { timeoutMs, everyMs: 500 },
    );
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("timed out")) error.message += `; steps: ${steps}`;
    throw error;
  }
}

export interface EndedExecution {
  readonly status: string;
  readonly reason: string | null;
  readonly steps: Record<string, { status: string; output: string; json: unknown; taskId: string | null; fixes: number; schemaErrors: string | null }>;
}

/** `workflow show --json` once the execution is no longer running. */
export function finished(home: string, id: string, timeoutMs: number): Promise<EndedExecution> {
  return waitFor(
    "the execution to end",
    async () => {
      const state = json(await cli(home, ["workflow", "show", id, "--json"]));
      return state.status === "running" ? null : state;
    },
    { timeoutMs, everyMs: 300 },
  );
}

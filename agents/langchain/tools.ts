/**
 * The LangChain agent's tools: a command in the working directory (under the
 * agent's command policy: a refused command is answered with the refusal and
 * never runs), files confined to the working directory (workspace.ts), and
 * git status/diff/commit. Every call is reported on the event stream as it
 * starts and ends, so a person attached to the pane watches it happen.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { execa } from "execa";
import { tool } from "langchain";
import { z } from "zod";
import { checkPolicy, type CompiledPolicy } from "../../core/index.js";
import { clip } from "../events.js";
import { askPerson } from "../policy-hook/ask-wait.js";
import { toolDetail, type LangchainEvent, type ToolCallSummary, type ToolOutcome } from "./events.js";
import { gitCommit, gitDiff, gitStatus } from "./git-tools.js";
import type { Workspace } from "./workspace.js";

export interface ToolContext {
  readonly workspace: Workspace;
  readonly policy: CompiledPolicy;
  readonly emit: (event: LangchainEvent) => void;
  /** Every call of this run, in order, for the result. */
  readonly calls: ToolCallSummary[];
  readonly commandTimeoutMs: number;
  /** The session's ask folder (agents/policy-hook/ask-channel.ts): a command an `ask` rule matches waits there for a person; null: refused. */
  readonly askChannel?: string | null;
}

/** The model reads at most this much of one tool's output (head and tail kept). */
const MODEL_OUTPUT_MAX = 16_000;
/** The event stream keeps less: it is for watching, the model got the rest. */
const EVENT_OUTPUT_MAX = 2_000;
const READ_MAX_BYTES = 256 * 1024;
const LIST_MAX = 500;

export function agentTools(ctx: ToolContext) {
  const root = ctx.workspace.root;
  let counter = 0;
  const instrumented =
    <T extends Record<string, unknown>>(name: string, run: (input: T) => Promise<ToolOutcome>) =>
    async (input: T, runtime?: { toolCallId?: string }): Promise<string> => {
      const id = runtime?.toolCallId ?? `call-${++counter}`;
      ctx.emit({ type: "tool_call", id, name, args: input });
      let outcome: ToolOutcome;
      try {
        outcome = await run(input);
      } catch (error) {
        outcome = { ok: false, output: `error: ${error instanceof Error ? error.message : String(error)}` };
      }
      const output = headAndTail(outcome.output, MODEL_OUTPUT_MAX);
      ctx.calls.push({ name, ok: outcome.ok, detail: clip(toolDetail(input), 200) });
      ctx.emit({
        type: "tool_result",
        id,
        name,
        ok: outcome.ok,
        output: headAndTail(outcome.output, EVENT_OUTPUT_MAX),
        ...(outcome.refused ? { refused: outcome.refused } : {}),
      });
      return output;
    };

  return [
    tool(
      instrumented("run_command", async ({ command }: { command: string }) => {
        const verdict = await checkPolicy(command, ctx.policy);
        if (verdict.ask) {
          // The command waits for a person's answer in the swarm's inbox, as a program's policy hook does.
          const asked = ctx.askChannel ? await askPerson(ctx.askChannel, command) : null;
          if (!asked?.approved)
            return {
              ok: false,
              refused: verdict.rule,
              output: asked
                ? `${verdict.reason}: ${asked.why}. The command was not run; do not try to get around the refusal.`
                : `${verdict.reason}. This agent cannot ask a person, so the command was not run; say in your answer that it needs approval.`,
            };
        } else if (!verdict.allowed)
          return { ok: false, refused: verdict.rule, output: `${verdict.reason}. The command was not run; do not try to get around the policy.` };
        const result = await execa("bash", ["-c", command], {
          cwd: root,
          all: true,
          reject: false,
          stdin: "ignore",
          timeout: ctx.commandTimeoutMs,
          maxBuffer: 16 * 1024 * 1024,
        });
        const status = result.timedOut
          ? `timed out after ${ctx.commandTimeoutMs / 1000} s`
          : `exit code ${result.exitCode ?? `none (${result.signal ?? "killed"})`}`;
        return { ok: result.exitCode === 0, output: `${status}\n${String(result.all ?? "")}`.trimEnd() };
      }),
      {
        name: "run_command",
        description:
          "Run a bash command line in the working directory and get its exit code and output (stdout and stderr). Commands are checked against the agent's command policy first.",
        schema: z.object({ command: z.string().describe("the bash command line") }),
      },
    ),
    tool(
      instrumented("read_file", async ({ path }: { path: string }) => {
        const file = ctx.workspace.forRead(path);
        if (statSync(file).isDirectory()) return { ok: false, output: `${path} is a folder; use list_files` };
        const text = readFileSync(file, "utf8");
        return {
          ok: true,
          output: text.length > READ_MAX_BYTES ? `${text.slice(0, READ_MAX_BYTES)}\n… [${text.length - READ_MAX_BYTES} more characters]` : text,
        };
      }),
      {
        name: "read_file",
        description: "Read a text file. Paths are relative to the working directory and cannot leave it.",
        schema: z.object({ path: z.string().describe("file path, relative to the working directory") }),
      },
    ),
    tool(
      instrumented("write_file", async ({ path, content }: { path: string; content: string }) => {
        const file = ctx.workspace.forWrite(path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
        return { ok: true, output: `wrote ${Buffer.byteLength(content)} bytes to ${ctx.workspace.show(file)}` };
      }),
      {
        name: "write_file",
        description:
          "Create or replace a text file with the given content (parent folders are created). Paths are relative to the working directory and cannot leave it.",
        schema: z.object({ path: z.string().describe("file path, relative to the working directory"), content: z.string().describe("the whole new content") }),
      },
    ),
    tool(
      instrumented("list_files", async ({ path }: { path?: string }) => {
        const dir = ctx.workspace.forRead(path ?? ".");
        const entries = readdirSync(dir, { withFileTypes: true })
          .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.isSymbolicLink() ? `${entry.name}@` : entry.name))
          .sort();
        const shown = entries.slice(0, LIST_MAX).join("\n");
        return { ok: true, output: entries.length === 0 ? "(empty)" : entries.length > LIST_MAX ? `${shown}\n… ${entries.length - LIST_MAX} more` : shown };
      }),
      {
        name: "list_files",
        description: "List the entries of a folder (folders end with /, symbolic links with @). Defaults to the working directory.",
        schema: z.object({ path: z.string().optional().describe("folder path, relative to the working directory (default .)") }),
      },
    ),
    tool(
      instrumented("git_status", async () => gitStatus(root)),
      {
        name: "git_status",
        description: "Show the git branch and the changed, staged and untracked files of the working directory.",
        schema: z.object({}),
      },
    ),
    tool(
      instrumented("git_diff", async ({ staged, path }: { staged?: boolean; path?: string }) => gitDiff(ctx.workspace, { staged, path })),
      {
        name: "git_diff",
        description: "Show the uncommitted changes (or, with staged: true, the staged ones), optionally of one path.",
        schema: z.object({ staged: z.boolean().optional(), path: z.string().optional() }),
      },
    ),
    tool(
      instrumented("git_commit", async ({ message, paths }: { message: string; paths?: string[] }) => gitCommit(ctx.workspace, { message, paths })),
      {
        name: "git_commit",
        description: "Stage the given paths (default: every change) and commit them with the message.",
        schema: z.object({
          message: z.string().describe("the commit message"),
          paths: z.array(z.string()).optional().describe("paths to stage; default all changes"),
        }),
      },
    ),
  ];
}

function headAndTail(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n… [${text.length - max} characters omitted] …\n${text.slice(-half)}`;
}

import { existsSync, writeFileSync } from "node:fs";
import { basename, delimiter, dirname, resolve } from "node:path";
import { configTemplate, UsageError, type ProgramExample } from "../../core/index.js";
import { discoverPrograms, type ProgramReport } from "../agent-programs.js";

/**
 * Writes swarm.yaml: the shell roster as the active agents, and a commented
 * example agent for each agent program found on this machine.
 */
export async function init(options: { file: string; force?: boolean; env?: NodeJS.ProcessEnv; versionTimeoutMs?: number }): Promise<void> {
  const path = resolve(options.file);
  if (existsSync(path) && !options.force) throw new UsageError(`${path} already exists`, { hint: "Pass --force to overwrite it." });
  const env = options.env ?? process.env;
  const found = (await discoverPrograms({ env, cwd: dirname(path), versionTimeoutMs: options.versionTimeoutMs })).filter((program) => program.installed);
  writeFileSync(path, configTemplate({ programs: found.map((program) => example(program, env)) }));
  const programs = found.length > 0 ? ` (commented examples for ${found.map((p) => p.runtime).join(", ")})` : "";
  process.stdout.write(`wrote ${path}${programs}\nnext: claude-agent up --config ${options.file}\n`);
}

/** The example names the program's path only when its plain name would not find it on PATH. */
function example(program: ProgramReport, env: NodeJS.ProcessEnv): ProgramExample {
  const onPath = program.path !== null && basename(program.path) === program.runtime && (env.PATH ?? "").split(delimiter).includes(dirname(program.path));
  return { runtime: program.runtime, command: onPath ? null : program.path, version: program.version, ready: program.ready };
}

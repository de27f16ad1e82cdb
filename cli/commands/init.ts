import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { configTemplate, UsageError } from "../../core/index.js";

export async function init(options: { file: string; force?: boolean }): Promise<void> {
  const path = resolve(options.file);
  if (existsSync(path) && !options.force) throw new UsageError(`${path} already exists`, { hint: "Pass --force to overwrite it." });
  writeFileSync(path, configTemplate());
  process.stdout.write(`wrote ${path}\nnext: claude-agent up --config ${options.file}\n`);
}

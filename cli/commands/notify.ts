/**
 * `claude-agent notify test`: a test message to each target of swarm.yaml's
 * `notify:` (or the one named), sent from this process now: no daemon needed.
 * Exit 0 when every one was delivered, 1 when one was not, 2 when there is
 * nothing to test.
 */
import { homePrefix, loadConfig, NotFoundError, UsageError } from "../../core/index.js";
import { tryTargets } from "../../supervisor/index.js";
import { homeOf, printJson, type GlobalOptions } from "../context.js";
import { print } from "../output.js";

export interface NotifyTestOptions extends GlobalOptions {
  config?: string;
  target?: string;
  json?: boolean;
}

export async function notifyTest(options: NotifyTestOptions): Promise<number> {
  const home = homeOf(options).root;
  const config = loadConfig({ explicit: options.config, cwd: process.cwd(), home });
  const all = config.notify ?? [];
  if (all.length === 0)
    throw new UsageError(`no notification targets in ${config.source}`, {
      hint: "Add a `notify:` list to swarm.yaml, e.g. notify: [{ type: webhook, url: https://…, events: [task.failed, needs-you] }] (docs/NOTIFY.md).",
    });
  const targets = options.target === undefined ? all : all.filter((target) => target.name === options.target);
  if (targets.length === 0)
    throw new NotFoundError(`no notification target "${options.target}"`, { hint: `Targets in ${config.source}: ${all.map((t) => t.name).join(", ")}.` });
  const swarm = config.swarm ?? homePrefix(home).replace(/^ca-/, "");
  const reports = await tryTargets(config, targets, { swarm });
  const ok = reports.every((report) => report.ok);
  if (options.json) printJson({ ok, targets: reports });
  else {
    for (const report of reports) {
      const where = report.where ? ` (${report.where})` : "";
      if (report.ok) print(`ok    ${report.name}${where}: delivered${report.attempts > 1 ? ` on try ${report.attempts}` : ""}\n`);
      else {
        const tries = report.attempts > 1 ? ` after ${report.attempts} tries` : "";
        print(`FAIL  ${report.name}${where}: ${report.error}${tries}\n`);
        if (report.hint) print(`      hint: ${report.hint}\n`);
      }
    }
  }
  return ok ? 0 : 1;
}

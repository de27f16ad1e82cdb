import { findConfigFile, loadConfig, type SwarmConfig } from "../../core/index.js";
import { loginChecks } from "../agent-logins.js";
import { discoverPrograms, runDoctorChecks } from "../doctor-checks.js";
import { homeOf, printJson, type GlobalOptions } from "../context.js";
import { llmReport } from "../llm-checks.js";
import { swarmProgramChecks } from "../program-checks.js";
import { swarmToolReports } from "../agent-tools.js";
import { unusableTargets } from "../../supervisor/index.js";

/**
 * The machine's checks and each program agent's (they set the exit code),
 * then the agent programs found on this machine with the user's own logins
 * (informational: a swarm of shell agents needs none of them). An agent runs
 * with its own config folder, so its login is its own check: the user's
 * login counts only as what `up` copies into it.
 */
export async function doctor(options: GlobalOptions & { json?: boolean }): Promise<number> {
  const home = homeOf(options).root;
  const config = swarmConfig(home);
  const [machine, agentPrograms, programs, llm] = await Promise.all([
    runDoctorChecks({ home }),
    swarmProgramChecks({ home }),
    discoverPrograms(),
    llmReport({ home }),
  ]);
  const logins = config ? loginChecks(config, { home, seed: false }).map(({ name, ok, detail, fix }) => ({ name, ok, detail, ...(fix ? { fix } : {}) })) : [];
  // A notification target that cannot be used here is skipped by the daemon: a warning, not a failure.
  const notify = config
    ? unusableTargets(config).map(({ name, problem, hint }) => ({
        name: `notify ${name}`,
        ok: true,
        warning: true,
        detail: `${problem}; it is skipped. ${hint}`,
        fix: undefined as string | undefined,
      }))
    : [];
  const checks = [...machine, ...agentPrograms, ...logins, ...notify];
  const failed = checks.filter((c) => !c.ok);
  const tools = swarmToolReports({ home: homeOf(options).root });
  if (options.json) printJson({ ok: failed.length === 0, checks, programs, llm, tools });
  else {
    for (const check of checks) {
      const mark = !check.ok ? "FAIL" : "warning" in check && check.warning ? "warn" : "ok  ";
      process.stdout.write(`${mark}  ${check.name}: ${check.detail}\n`);
      if (!check.ok && check.fix) process.stdout.write(`      fix: ${check.fix}\n`);
    }
    process.stdout.write(
      "\nagent programs on this machine, with your own logins (each agent uses its own config folder: its login is the `agent … login` check above):\n",
    );
    for (const program of programs) {
      const mark = program.ready ? "ready" : program.installed ? "found" : "-";
      process.stdout.write(`${mark.padEnd(6)}${program.runtime}: ${program.detail}\n`);
      if (program.fix) process.stdout.write(`      fix: ${program.fix}\n`);
    }
    if (tools.length > 0) {
      process.stdout.write("\nswarm.yaml's agents: their program and the tools of their role (a missing one fails that agent's tasks or gate):\n");
      for (const report of tools) {
        process.stdout.write(`${(report.ok ? "ok" : "miss").padEnd(6)}${report.agent}: ${report.detail}\n`);
        for (const fix of report.fixes) process.stdout.write(`      get it: ${fix}\n`);
      }
    }
    process.stdout.write(`\nLLM features (optional): ${llm.supervisor.detail}\n`);
    if (llm.supervisor.fix) process.stdout.write(`      fix: ${llm.supervisor.fix}\n`);
    for (const endpoint of llm.endpoints) {
      process.stdout.write(`${endpoint.ok ? "ok  " : "warn"}  ${endpoint.user}: ${endpoint.detail}\n`);
      if (endpoint.fix) process.stdout.write(`      fix: ${endpoint.fix}\n`);
    }
    process.stdout.write(failed.length === 0 ? "\nall checks passed\n" : `\n${failed.length} problem(s) found\n`);
  }
  return failed.length === 0 ? 0 : 1;
}

/** The swarm.yaml `up` would use here, or null (none, or one that does not load: the sandbox check says why). */
function swarmConfig(home: string): SwarmConfig | null {
  try {
    const file = findConfigFile({ cwd: process.cwd(), home });
    return file === null ? null : loadConfig({ cwd: process.cwd(), home, explicit: file });
  } catch {
    return null;
  }
}

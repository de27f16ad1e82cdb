import { discoverPrograms, runDoctorChecks } from "../doctor-checks.js";
import { homeOf, printJson, type GlobalOptions } from "../context.js";
import { llmReport } from "../llm-checks.js";
import { swarmProgramChecks } from "../program-checks.js";
import { swarmToolReports } from "../agent-tools.js";

/**
 * The machine's checks (they set the exit code) and the agent programs found
 * (informational: a swarm of shell agents needs none of them).
 */
export async function doctor(options: GlobalOptions & { json?: boolean }): Promise<void> {
  const [machine, agentPrograms, programs, llm] = await Promise.all([
    runDoctorChecks({ home: homeOf(options).root }),
    swarmProgramChecks({ home: homeOf(options).root }),
    discoverPrograms(),
    llmReport({ home: homeOf(options).root }),
  ]);
  const checks = [...machine, ...agentPrograms];
  const failed = checks.filter((c) => !c.ok);
  const tools = swarmToolReports({ home: homeOf(options).root });
  if (options.json) printJson({ ok: failed.length === 0, checks, programs, llm, tools });
  else {
    for (const check of checks) {
      const mark = !check.ok ? "FAIL" : "warning" in check && check.warning ? "warn" : "ok  ";
      process.stdout.write(`${mark}  ${check.name}: ${check.detail}\n`);
      if (!check.ok && check.fix) process.stdout.write(`      fix: ${check.fix}\n`);
    }
    process.stdout.write("\nagent programs (optional; for agents with runtime: claude, codex, gemini, qwen, aider):\n");
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
  process.exitCode = failed.length === 0 ? 0 : 1;
}

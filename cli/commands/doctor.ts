import { runDoctorChecks } from "../doctor-checks.js";
import { homeOf, printJson, type GlobalOptions } from "../context.js";

export async function doctor(options: GlobalOptions & { json?: boolean }): Promise<void> {
  const checks = await runDoctorChecks({ home: homeOf(options).root });
  const failed = checks.filter((c) => !c.ok);
  if (options.json) printJson({ ok: failed.length === 0, checks });
  else {
    for (const check of checks) {
      process.stdout.write(`${check.ok ? "ok  " : "FAIL"}  ${check.name}: ${check.detail}\n`);
      if (!check.ok && check.fix) process.stdout.write(`      fix: ${check.fix}\n`);
    }
    process.stdout.write(failed.length === 0 ? "\nall checks passed\n" : `\n${failed.length} problem(s) found\n`);
  }
  process.exitCode = failed.length === 0 ? 0 : 1;
}

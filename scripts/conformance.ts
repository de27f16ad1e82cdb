/**
 * The conformance run: installs a release of an agent program into
 * claude-agent's cache, runs that program's real-program suite against our
 * local model servers (test/agents/*.test.ts, test/fixtures/llm/), and writes
 * CONFORMANCE.md: program × version × feature, pass/fail, date, Node.
 *
 *   npm run conformance                                   # every program: its pinned release and the latest
 *   npm run conformance -- --program claude               # one program, pinned and latest
 *   npm run conformance -- --program claude --version 2.1.300
 *
 * Results accumulate in conformance.json (one entry per program, version and
 * Node line), from which CONFORMANCE.md and its supported ranges are written.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cacheRoot } from "../agents/index.js";
import { renderConformance, type RunEntry } from "./conformance-report.js";
import { featureOf, SUITES, type ProgramName } from "./conformance-suites.js";

const ROOT = resolve(import.meta.dirname, "..");
const RESULTS = join(ROOT, "conformance.json");

interface Options {
  programs: ProgramName[];
  versions: string[];
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { programs: [], versions: [] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--program" && value) options.programs.push(...(value.split(",") as ProgramName[])), i++;
    else if (flag === "--version" && value) options.versions.push(...value.split(",")), i++;
    else throw new Error(`unknown argument ${flag}; use --program NAME [--version X]`);
  }
  for (const program of options.programs) if (!SUITES[program]) throw new Error(`unknown program ${program}; one of ${Object.keys(SUITES).join(", ")}`);
  if (options.programs.length === 0) options.programs = Object.keys(SUITES) as ProgramName[];
  return options;
}

function pinned(packageName: string): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
  return pkg.devDependencies[packageName]!;
}

function latest(packageName: string): string {
  const view = spawnSync("npm", ["view", packageName, "version"], { encoding: "utf8" });
  if (view.status !== 0) throw new Error(`npm view ${packageName} failed: ${view.stderr}`);
  return view.stdout
    .trim()
    .split("\n")
    .at(-1)!
    .replace(/^.*'(.*)'$/, "$1");
}

/** The pinned release runs from node_modules; any other is installed once into the cache. */
function install(program: ProgramName, version: string): string {
  const suite = SUITES[program];
  if (version === pinned(suite.packageName)) return join(ROOT, "node_modules", ".bin", suite.bin);
  const dir = join(cacheRoot(), "programs", program, version);
  const bin = join(dir, "node_modules", ".bin", suite.bin);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`conformance: installing ${suite.packageName}@${version} into ${dir}\n`);
  const npm = spawnSync("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", `${suite.packageName}@${version}`], {
    stdio: "inherit",
  });
  if (npm.status !== 0 || !existsSync(bin)) throw new Error(`installing ${suite.packageName}@${version} failed`);
  return bin;
}

interface VitestJson {
  testResults: { name: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

function runSuite(program: ProgramName, version: string, bin: string): RunEntry {
  const suite = SUITES[program];
  const report = join(tmpdir(), `ca-conformance-${process.pid}-${program}.json`);
  rmSync(report, { force: true });
  const started = Date.now();
  const env = { ...process.env, [`CLAUDE_AGENT_TEST_BIN_${program.toUpperCase()}`]: bin, CLAUDE_AGENT_SKIP_BUILD: built ? "1" : "" };
  spawnSync(
    process.execPath,
    [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...suite.files],
    { stdio: "inherit", env, cwd: ROOT },
  );
  built = true;
  const features: RunEntry["features"] = {};
  const failures: string[] = [];
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, "utf8")) as VitestJson;
    for (const file of json.testResults) {
      for (const test of file.assertionResults) {
        const feature = featureOf(file.name, test.title);
        const passed = test.status === "passed";
        const before = features[feature];
        features[feature] = before === "fail" ? "fail" : passed ? "pass" : test.status === "failed" ? "fail" : (before ?? "skip");
        if (test.status === "failed") failures.push(`${feature}: ${test.title}: ${(test.failureMessages[0] ?? "").split("\n")[0]}`);
      }
    }
    rmSync(report, { force: true });
  } else failures.push("the suite did not run (no report)");
  return {
    program,
    version,
    node: process.versions.node,
    date: new Date().toISOString().slice(0, 10),
    seconds: Math.round((Date.now() - started) / 1000),
    features,
    failures,
  };
}

let built = false;

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const results: RunEntry[] = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, "utf8")) as RunEntry[]) : [];
  for (const program of options.programs) {
    const suite = SUITES[program];
    const versions = options.versions.length > 0 ? options.versions : [...new Set([pinned(suite.packageName), latest(suite.packageName)])];
    for (const version of versions) {
      process.stdout.write(`\n== conformance: ${program} ${version} (Node ${process.versions.node})\n`);
      const entry = runSuite(program, version, install(program, version));
      const nodeLine = entry.node.split(".")[0];
      const kept = results.filter((r) => !(r.program === program && r.version === version && r.node.split(".")[0] === nodeLine));
      results.splice(0, results.length, ...kept, entry);
      writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
      writeFileSync(join(ROOT, "CONFORMANCE.md"), renderConformance(results, pinnedVersions()));
      process.stdout.write(`conformance: ${program} ${version}: ${entry.failures.length === 0 ? "all passed" : `${entry.failures.length} failed`}\n`);
    }
  }
}

function pinnedVersions(): Record<ProgramName, string> {
  return Object.fromEntries(Object.entries(SUITES).map(([program, suite]) => [program, pinned(suite.packageName)])) as Record<ProgramName, string>;
}

main();

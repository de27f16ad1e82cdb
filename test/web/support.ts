/**
 * What the web dashboard's tests share: the built page (dist/web, built here
 * when web/ changed since), a real swarm whose API listens on a free port,
 * one-time login codes from the real CLI, and Debian's Chromium driven by
 * playwright-core (installed with apt-get when missing and we are root).
 * Starting needs up to 15 minutes on a fresh machine (the chromium install):
 * BROWSER_SETUP_MS is the hook timeout for that.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { aptInstall, INSTALL_TIMEOUT_MS, onPath } from "../helpers/debian.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

const ROOT = resolve(import.meta.dirname, "../..");

export const WEB_AGENTS = `
agents:
  - name: alpha
    runtime: shell
    replicas: 2
    timeout: 60
  - name: beta
    runtime: shell
    replicas: 1
    timeout: 60
default_agent: alpha
api:
  listen: 127.0.0.1:0
`;

export const BROWSER_SETUP_MS = INSTALL_TIMEOUT_MS + 60_000;

export interface WebSwarm {
  readonly swarm: TestSwarm;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** The first API token (every scope). */
  readonly token: string;
}

/** Builds dist/web unless it is newer than every file of web/; test files running at once build it once (a lock folder). */
export function ensureWebBuilt(): void {
  const index = join(ROOT, "dist/web/index.html");
  const newest = (dir: string): number =>
    Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  const fresh = () => existsSync(index) && statSync(index).mtimeMs > newest(join(ROOT, "web"));
  if (fresh()) return;
  const lock = join(ROOT, "dist/.web-build.lock");
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 120_000) rmSync(lock, { recursive: true, force: true });
      spawnSync("sleep", ["0.2"]);
    }
  }
  try {
    if (fresh()) return;
    const built = spawnSync(process.execPath, [join(ROOT, "scripts/build-web.mjs"), "--quiet"], { encoding: "utf8" });
    if (built.status !== 0) throw new Error(`building the web dashboard failed:\n${built.stdout}${built.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function startWebSwarm(yaml = WEB_AGENTS): Promise<WebSwarm> {
  ensureWebBuilt();
  const swarm = await startTestSwarm(yaml);
  const run = JSON.parse(readFileSync(join(swarm.paths.runDir, "api.json"), "utf8")) as { url: string };
  return { swarm, url: run.url, token: readFileSync(join(swarm.home, "api.token"), "utf8").trim() };
}

/** A one-time login code from `claude-agent web`, as a user gets one. */
export function loginCode(swarm: TestSwarm, args: readonly string[] = []): string {
  const result = swarm.cli(["web", "--json", "--no-open", ...args]);
  if (result.exitCode !== 0) throw new Error(`claude-agent web failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { code: string }).code;
}

/** Debian's chromium (test/helpers/debian.ts installs it when missing). */
export function chromiumPath(): string {
  aptInstall(["chromium"], () => onPath("chromium"));
  return spawnSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).stdout.trim();
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  // --no-sandbox: Chromium refuses to run its sandbox as root, which the test machines are.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox"] });
}

/** Where screenshots go when CLAUDE_AGENT_SCREENSHOTS=1 (docs/, for the README); otherwise nowhere. */
export function screenshotPath(name: string): string | undefined {
  return process.env.CLAUDE_AGENT_SCREENSHOTS === "1" ? join(ROOT, "docs", name) : undefined;
}

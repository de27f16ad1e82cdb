/**
 * `claude-agent web`: a one-time login code for the web dashboard, and the
 * address to open. Whoever can run this can reach the swarm's Redis, which
 * is what makes them its owner; the code carries that trust to a browser
 * once, for 2 minutes. With a display, the page opens by itself, the code in
 * the address's fragment (browsers never send a fragment to a server).
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { LoginCodes, readApiRunFile, SCOPES } from "../../api/index.js";
import { localActor, NotRunningError, UsageError } from "../../core/index.js";
import { homeOf, printJson, withSwarm, type GlobalOptions } from "../context.js";
import { print, printError } from "../output.js";
import { clientInternals } from "../../client/index.js";

export interface WebOptions extends GlobalOptions {
  scope?: string[];
  readOnly?: boolean;
  /** false with --no-open. */
  open?: boolean;
  json?: boolean;
}

/** A web login has every scope unless narrowed: the person at this shell could `claude-agent attach` anyway. */
export async function web(options: WebOptions): Promise<void> {
  if (options.readOnly && options.scope) throw new UsageError("--read-only and --scope: give one of them");
  const scopes = options.readOnly
    ? ["read"]
    : options.scope
      ? options.scope
          .flatMap((s) => s.split(","))
          .map((s) => s.trim())
          .filter(Boolean)
      : [...SCOPES];
  const home = homeOf(options).root;
  const run = readApiRunFile(home);
  if (!run) {
    throw new NotRunningError("the swarm's HTTP API is not running, so there is no web dashboard to log in to", {
      hint: "Start the swarm with `claude-agent up` (with no `api: false` in swarm.yaml); `claude-agent status` shows the API's address.",
    });
  }
  const created = await withSwarm(options, (swarm) =>
    new LoginCodes(clientInternals(swarm.client).redis, clientInternals(swarm.client).keys.prefix).create({ scopes, actor: localActor() }),
  );
  const url = `${run.url}/`;
  const opened = options.open !== false && hasDisplay() ? openBrowser(`${url}#code=${created.code}`) : false;
  if (options.json) return printJson({ url, code: created.code, expiresAt: created.expiresAt, scopes, opened });
  print(`${url}\nlogin code: ${created.code}\n`);
  printError(
    `the code works once, until ${new Date(created.expiresAt).toLocaleTimeString()} (2 minutes); scopes: ${scopes.join(", ")}${opened ? "; opened in your browser" : ""}\n`,
  );
}

function hasDisplay(): boolean {
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) && onPath("xdg-open");
}

function onPath(program: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** xdg-open with the address as one argument (never a shell line); it returns at once, the browser lives on. */
function openBrowser(address: string): boolean {
  try {
    const child = spawn("xdg-open", [address], { detached: true, stdio: "ignore" });
    child.on("error", () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

/**
 * The machine of the screenshots' user, made up under one short folder so
 * that the paths the pictures show stay readable (/tmp/demo/project):
 * a HOME with a Claude Code login (a well-formed credentials file, as
 * `claude auth login` leaves it; the scripted model server accepts any), a
 * small Node project in git, `claude-agent` and `claude` (the pinned
 * devDependency) on PATH, and an environment that sends Claude Code to the
 * scripted model server on loopback.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { seedClaudeLogin } from "../../test/fixtures/claude-login.js";

const ROOT = resolve(import.meta.dirname, "../..");
/** Marks a folder as made by this script, so that a run after an interrupted one may remove it. */
const MARK = ".claude-agent-screenshots";

export interface Stage {
  /** The user's HOME; everything below is inside it. */
  readonly root: string;
  /** CLAUDE_AGENT_HOME. */
  readonly home: string;
  /** The git project `init` runs in. */
  readonly project: string;
  /** The user's environment: HOME, PATH, the model server, CLAUDE_AGENT_HOME. */
  readonly env: Record<string, string>;
  /** Removes the whole stage. Idempotent. */
  remove(): void;
}

export function makeStage(modelUrl: string): Stage {
  const root = freeRoot("/tmp/demo");
  writeFileSync(join(root, MARK), "");
  const home = join(root, ".claude-agent");
  const project = join(root, "project");
  const bin = join(root, ".bin");
  seedClaudeLogin(root, {
    accessToken: "sk-ant-oat01-screenshots",
    refreshToken: "sk-ant-ort01-screenshots",
    accountUuid: "acc-demo",
    emailAddress: "you@example.com",
    organizationUuid: "org-demo",
  });
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify({ name: "demo-project", private: true, type: "module", scripts: { test: "node --test" } }, null, 2)}\n`,
  );
  writeFileSync(join(project, "README.md"), "# demo-project\n");
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", project, "-c", "user.name=Demo", "-c", "user.email=demo@example.com", ...args], { stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("commit", "-q", "-m", "Start the project");
  mkdirSync(bin);
  symlinkSync(join(ROOT, "dist", "cli", "main.js"), join(bin, "claude-agent"));
  const claude = join(ROOT, "node_modules", ".bin", "claude");
  const env = {
    HOME: root,
    CLAUDE_AGENT_HOME: home,
    // `claude` on PATH, as `npm i -g @anthropic-ai/claude-code` would put it.
    PATH: `${bin}:${dirname(claude)}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: "",
    CLAUDE_CONFIG_DIR: "",
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    // The terminals' bash would write its history into this HOME as it exits, after the folder is gone.
    HISTFILE: "/dev/null",
  };
  let removed = false;
  return {
    root,
    home,
    project,
    env,
    remove() {
      if (removed) return;
      removed = true;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** `preferred` when it is free or left by an earlier run of this script, else a new folder beside it. */
function freeRoot(preferred: string): string {
  if (existsSync(join(preferred, MARK))) {
    // An interrupted run may have left its swarm running: stop it before its folder goes.
    spawnSync(process.execPath, [join(ROOT, "dist", "cli", "main.js"), "--home", join(preferred, ".claude-agent"), "down", "--force"], { stdio: "ignore" });
    rmSync(preferred, { recursive: true, force: true });
  }
  if (!existsSync(preferred)) {
    mkdirSync(preferred, { mode: 0o700 });
    return preferred;
  }
  return mkdtempSync(`${preferred}-`);
}

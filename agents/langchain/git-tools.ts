/** git status, diff and commit for the LangChain agent, through simple-git, confined to its working directory. */
import { simpleGit, type SimpleGit } from "simple-git";
import type { ToolOutcome } from "./events.js";
import type { Workspace } from "./workspace.js";

/** Used only when the repository and the user have no identity of their own: a commit must never fail for want of one. */
const FALLBACK_IDENTITY = { name: "claude-agent", email: "claude-agent@localhost" };

export async function gitStatus(root: string): Promise<ToolOutcome> {
  const git = await repository(root);
  const text = (await git.raw(["status", "--short", "--branch"])).trimEnd();
  return { ok: true, output: text.split("\n").length <= 1 ? `${text}\n(clean: nothing to commit)` : text };
}

export async function gitDiff(workspace: Workspace, options: { staged?: boolean; path?: string }): Promise<ToolOutcome> {
  const git = await repository(workspace.root);
  const path = options.path ? ["--", workspace.show(workspace.forWrite(options.path))] : [];
  const text = await git.raw(["diff", ...(options.staged ? ["--cached"] : []), ...path]);
  return { ok: true, output: text.trimEnd() || "(no changes)" };
}

export async function gitCommit(workspace: Workspace, options: { message: string; paths?: readonly string[] }): Promise<ToolOutcome> {
  if (options.message.trim() === "") return { ok: false, output: "error: the commit message is empty" };
  const git = await repository(workspace.root);
  if (options.paths && options.paths.length > 0) {
    await git.raw(["add", "--all", "--", ...options.paths.map((path) => workspace.show(workspace.forWrite(path)))]);
  } else {
    await git.raw(["add", "--all"]);
  }
  const staged = (await git.raw(["diff", "--cached", "--name-only"])).trim();
  if (staged === "") return { ok: false, output: "nothing to commit: no changes are staged" };
  const identity = (await hasIdentity(git)) ? [] : ["-c", `user.name=${FALLBACK_IDENTITY.name}`, "-c", `user.email=${FALLBACK_IDENTITY.email}`];
  await git.raw([...identity, "commit", "-m", options.message]);
  const [hash, branch] = await Promise.all([git.revparse(["--short", "HEAD"]), git.revparse(["--abbrev-ref", "HEAD"])]);
  const files = staged.split("\n");
  return {
    ok: true,
    output: `committed ${hash} on ${branch}: ${options.message.split("\n")[0]} (${files.length} file${files.length === 1 ? "" : "s"}: ${files.join(", ")})`,
  };
}

async function repository(root: string): Promise<SimpleGit> {
  const git = simpleGit({ baseDir: root });
  if (!(await git.checkIsRepo())) throw new Error(`${root} is not a git repository`);
  return git;
}

async function hasIdentity(git: SimpleGit): Promise<boolean> {
  const [name, email] = await Promise.all([git.getConfig("user.name"), git.getConfig("user.email")]);
  return Boolean(name.value && email.value);
}

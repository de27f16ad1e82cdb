import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Where a memory entry applies: the whole swarm, one agent, or one repository. */
export type MemoryScope = { readonly kind: "swarm" } | { readonly kind: "agent"; readonly agent: string } | { readonly kind: "repo"; readonly repo: string };

/** The repository a folder belongs to: the nearest parent with `.git` (a folder, or a worktree's file), else the folder itself. */
export function repoOf(folder: string): string {
  let dir = resolve(folder);
  for (;;) {
    if (existsSync(join(dir, ".git"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(folder);
    dir = parent;
  }
}

export function scopeColumns(scope: MemoryScope): { scope: string; scope_value: string } {
  if (scope.kind === "agent") return { scope: "agent", scope_value: scope.agent };
  if (scope.kind === "repo") return { scope: "repo", scope_value: scope.repo };
  return { scope: "swarm", scope_value: "" };
}

export function describeScope(scope: string, value: string): string {
  return scope === "swarm" ? "swarm" : `${scope}:${value}`;
}

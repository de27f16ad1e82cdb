/**
 * `sandbox:` of an agent: `bwrap` runs its tasks, gates and program inside
 * bubblewrap (the swarm's home and the other agents' folders invisible, its
 * own working tree writable, the rest read-only); `none` runs them as the
 * swarm's user; a mapping is `bwrap` with settings. Absent means `none`, for
 * configs written before the sandbox existed; `init` writes `bwrap`.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import type { SandboxSettings } from "./types.js";

const EXPECTED = '"bwrap", "none", or a mapping { network: true|false, writable: [paths] }';

export const rawSandboxSchema = z.union(
  [
    z.literal("bwrap"),
    z.literal("none"),
    z
      .object({
        network: z.boolean().optional(),
        writable: z.array(z.string().min(1)).optional(),
      })
      .strict(),
  ],
  { errorMap: (_issue, ctx) => ({ message: `expected ${EXPECTED}, got ${JSON.stringify(ctx.data) ?? "nothing"}` }) },
);

export type RawSandbox = z.infer<typeof rawSandboxSchema>;

/** Each `writable` path must exist (bubblewrap can only bind what is there) and must not be `/`. */
export function sandboxProblems(agent: Record<string, unknown>, index: number, baseDir: string): string[] {
  const sandbox = agent.sandbox;
  if (typeof sandbox !== "object" || sandbox === null || !Array.isArray((sandbox as { writable?: unknown }).writable)) return [];
  const problems: string[] = [];
  (sandbox as { writable: unknown[] }).writable.forEach((entry, i) => {
    if (typeof entry !== "string" || entry === "") return; // the schema reports it
    const path = resolve(baseDir, entry);
    const at = `agents.${index}.sandbox.writable.${i}`;
    if (path === "/") problems.push(`${at}: "/" would make the whole filesystem writable; name the folders the agent needs`);
    else if (!exists(path)) problems.push(`${at}: ${path} does not exist (a sandbox can only make existing paths writable)`);
  });
  return problems;
}

export function normalizeSandbox(raw: RawSandbox | undefined, baseDir: string): SandboxSettings | undefined {
  if (raw === undefined || raw === "none") return raw === "none" ? Object.freeze({ kind: "none" as const }) : undefined;
  const settings = raw === "bwrap" ? {} : raw;
  return Object.freeze({
    kind: "bwrap" as const,
    network: settings.network ?? true,
    writable: Object.freeze([...new Set((settings.writable ?? []).map((path) => resolve(baseDir, path)))]),
  });
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

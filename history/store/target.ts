import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SwarmConfig } from "../../core/index.js";

/** Where a swarm's history lives: SQLite in its home, or a PostgreSQL database. */
export type StoreTarget = { readonly kind: "sqlite"; readonly file: string } | { readonly kind: "postgres"; readonly url: string };

export function historyDir(home: string): string {
  return join(home, "history");
}

/** The embedded default: `<home>/history/history.db`. */
export function sqliteTarget(home: string): StoreTarget {
  return { kind: "sqlite", file: join(historyDir(home), "history.db") };
}

/**
 * The store a daemon uses: swarm.yaml's `database.url` (explicit, per swarm),
 * else `DATABASE_URL`, else SQLite in the home.
 */
export function storeTarget(
  home: string,
  config: Pick<SwarmConfig, "database"> | null,
  env: Readonly<Record<string, string | undefined>> = process.env,
): StoreTarget {
  const url = config?.database?.url ?? env.DATABASE_URL?.trim();
  return url ? { kind: "postgres", url } : sqliteTarget(home);
}

/**
 * What the daemon last used, written at its start so commands run while the
 * swarm is down (`tasks`, `history show`, `memory`) read the same store. It
 * holds a PostgreSQL URL with its password: mode 0600 in the 0700 home.
 */
function pointerFile(home: string): string {
  return join(historyDir(home), "store.json");
}

export function rememberTarget(home: string, target: StoreTarget): void {
  mkdirSync(historyDir(home), { recursive: true, mode: 0o700 });
  const file = pointerFile(home);
  writeFileSync(file, `${JSON.stringify(target)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The store of this home for a command: the daemon's last choice, else what `storeTarget` picks. */
export function targetOfHome(
  home: string,
  config: Pick<SwarmConfig, "database"> | null,
  env: Readonly<Record<string, string | undefined>> = process.env,
): StoreTarget {
  try {
    const raw = JSON.parse(readFileSync(pointerFile(home), "utf8")) as Partial<{ kind: string; file: string; url: string }>;
    if (raw.kind === "sqlite" && typeof raw.file === "string") return { kind: "sqlite", file: raw.file };
    if (raw.kind === "postgres" && typeof raw.url === "string") return { kind: "postgres", url: raw.url };
  } catch {
    // no daemon has run here yet, or the file is damaged: decide as a daemon would
  }
  return storeTarget(home, config, env);
}

/** The target as a person may see it: a PostgreSQL URL without its password. */
export function describeTarget(target: StoreTarget): string {
  if (target.kind === "sqlite") return `SQLite ${target.file}`;
  try {
    const url = new URL(target.url);
    if (url.password) url.password = "***";
    return `PostgreSQL ${url.toString()}`;
  } catch {
    return "PostgreSQL (unparseable URL)";
  }
}

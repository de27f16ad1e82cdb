import { print, printError } from "../output.js";
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import {
  connectOrFail,
  isEmbeddedRedisRunning,
  homePrefix,
  localActor,
  redisTarget,
  startEmbeddedRedis,
  stopEmbeddedRedis,
  UsageError,
} from "../../core/index.js";
import { backup as backupSwarm, restore as restoreSwarm, tableRows, targetOfHome, TABLES, openStore, type TableName } from "../../history/index.js";
import { homeOf, printJson, type GlobalOptions } from "../context.js";
import { configIfAny } from "../history-context.js";
import { livePid } from "../pidfile.js";

/** `backup --out FILE.tar.zst`, `restore FILE [--force]`, `export --format jsonl`. */

export async function backup(options: GlobalOptions & { out?: string; json?: boolean }): Promise<void> {
  if (!options.out) throw new UsageError("--out is required", { hint: "claude-agent backup --out swarm-2026-12-01.tar.zst" });
  const paths = homeOf(options);
  const config = configIfAny(paths.root);
  const redis = await connectOrFail(redisTarget(paths));
  try {
    const done = await backupSwarm({
      home: paths.root,
      config,
      redis,
      prefix: homePrefix(paths.root),
      target: targetOfHome(paths.root, config),
      out: options.out,
      actor: localActor(),
      via: "cli",
    });
    if (done.note) printError(`note: ${done.note}\n`);
    if (options.json) return printJson({ file: done.file, ...done.manifest });
    const rows = Object.entries(done.manifest.rows)
      .map(([table, n]) => `${n} ${table}`)
      .join(", ");
    print(`backup written: ${done.file}\n  redis: ${done.manifest.redisKeys} keys (stream up to ${done.manifest.streamLastId})\n  history: ${rows}\n`);
  } finally {
    redis.disconnect();
  }
}

export async function restore(file: string, options: GlobalOptions & { force?: boolean; json?: boolean }): Promise<void> {
  const paths = homeOf(options);
  const running = livePid(paths.daemonPid);
  if (running)
    throw new UsageError(`the swarm in ${paths.root} is running (pid ${running}); a restore replaces its queues and tasks under it`, {
      hint: "Stop it first: claude-agent down",
    });
  const target = redisTarget(paths);
  let started = false;
  if (target.kind === "embedded" && !(await isEmbeddedRedisRunning(paths))) {
    await startEmbeddedRedis(paths);
    started = true;
  }
  const redis = await connectOrFail(target);
  try {
    const config = configIfAny(paths.root);
    const manifest = await restoreSwarm({
      home: paths.root,
      redis,
      prefix: homePrefix(paths.root),
      target: targetOfHome(paths.root, config),
      file,
      force: options.force === true,
      actor: localActor(),
      via: "cli",
    });
    if (options.json) return printJson({ restored: file, ...manifest });
    print(
      `restored ${file} (swarm ${manifest.swarmId}, taken ${manifest.createdAt}): ${manifest.redisKeys} Redis keys and the history\nstart it: claude-agent up\n`,
    );
  } finally {
    redis.disconnect();
    if (started) await stopEmbeddedRedis(paths);
  }
}

export async function exportHistory(options: GlobalOptions & { format?: string; out?: string; tables?: string }): Promise<void> {
  if ((options.format ?? "jsonl") !== "jsonl") throw new UsageError(`--format: only jsonl is supported, got ${JSON.stringify(options.format)}`);
  const tables = (options.tables
    ?.split(",")
    .map((t) => t.trim())
    .filter(Boolean) ?? [...TABLES]) as TableName[];
  for (const table of tables)
    if (!(TABLES as readonly string[]).includes(table)) throw new UsageError(`--tables: expected some of ${TABLES.join(", ")}, got ${JSON.stringify(table)}`);
  const home = homeOf(options).root;
  const store = await openStore(targetOfHome(home, configIfAny(home)));
  const out = options.out ? createWriteStream(options.out, { mode: 0o600 }) : process.stdout;
  try {
    for (const table of tables) {
      for await (const row of tableRows(store.db, table)) {
        if (!out.write(`${JSON.stringify({ table, row })}\n`)) await once(out, "drain");
      }
    }
  } finally {
    if (out !== process.stdout) {
      out.end();
      await once(out, "finish");
    }
    await store.close();
  }
}

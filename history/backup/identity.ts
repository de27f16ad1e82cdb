import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A swarm's identity: a random id kept in its home (`swarm-id`), made the
 * first time it is needed. A backup carries it; restoring a backup into a
 * home with another id (another swarm) is refused unless forced.
 */
export function swarmIdFile(home: string): string {
  return join(home, "swarm-id");
}

export function readSwarmId(home: string): string | null {
  try {
    const id = readFileSync(swarmIdFile(home), "utf8").trim();
    return id === "" ? null : id;
  } catch {
    return null;
  }
}

export function swarmId(home: string): string {
  const known = readSwarmId(home);
  if (known) return known;
  const id = randomUUID();
  writeFileSync(swarmIdFile(home), `${id}\n`, { mode: 0o600 });
  return id;
}

export function adoptSwarmId(home: string, id: string): void {
  writeFileSync(swarmIdFile(home), `${id}\n`, { mode: 0o600 });
}

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** The first of `dirs` holding an executable regular file called `name`, or null. */
export function findExecutable(name: string, dirs: readonly string[]): string | null {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The folders of a PATH value, in order, without empty entries. */
export function pathDirs(path: string | undefined): string[] {
  return (path ?? "").split(delimiter).filter((dir) => dir !== "");
}

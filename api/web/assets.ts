/**
 * The built page (`dist/web`, written by `npm run build`): index.html, served
 * with `no-cache` so a new build is picked up at once, and content-hashed
 * files under assets/, served as immutable for a year. Everything is read
 * into memory at start-up from a fixed folder; a request names a file of that
 * listing or gets 404, so no request path ever reaches the file system.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";

const TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".woff2": "font/woff2",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
};

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

export class WebAssets {
  private constructor(
    readonly dir: string,
    readonly index: Buffer | null,
    private readonly files: ReadonlyMap<string, Asset>,
  ) {}

  static load(dir = defaultWebDir()): WebAssets {
    const indexFile = join(dir, "index.html");
    if (!existsSync(indexFile)) return new WebAssets(dir, null, new Map());
    const files = new Map<string, Asset>();
    const assetsDir = join(dir, "assets");
    for (const name of existsSync(assetsDir) ? readdirSync(assetsDir) : []) {
      const type = TYPES[extname(name)];
      if (type && /^[A-Za-z0-9._-]+$/.test(name)) files.set(name, { body: readFileSync(join(assetsDir, name)), type });
    }
    return new WebAssets(dir, readFileSync(indexFile), files);
  }

  asset(name: string): Asset | null {
    return this.files.get(name) ?? null;
  }
}

/** `<package root>/dist/web`, from the source tree (api/web) or the build (dist/api/web). */
export function defaultWebDir(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "package.json"))) return join(dir, "dist", "web");
    dir = dirname(dir);
  }
  return join(import.meta.dirname, "..", "..", "web");
}

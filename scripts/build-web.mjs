#!/usr/bin/env node
// Builds the web dashboard (web/) into dist/web: type-checks it (its own
// tsconfig: DOM, bundler resolution), bundles and minifies it with esbuild
// into content-hashed files under dist/web/assets (served as immutable), and
// writes index.html naming them. xterm.js goes into a chunk of its own that
// loads when a terminal is first opened. Prints the gzipped size of the first
// load (index.html, the entry script and the stylesheet) and of the chunks
// loaded later, and records them in dist/web/sizes.json.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const out = join(root, "dist", "web");
const quiet = process.argv.includes("--quiet");

const check = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "web/tsconfig.json")], { encoding: "utf8" });
if (check.status !== 0) {
  process.stderr.write(`build-web: type errors in web/:\n${check.stdout}${check.stderr}`);
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { app: "web/main.ts" },
  bundle: true,
  splitting: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "linked",
  outdir: join(out, "assets"),
  entryNames: "[name]-[hash]",
  chunkNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  logLevel: "error",
});

const outputs = Object.entries(result.metafile.outputs);
const entry = outputs.find(([, o]) => o.entryPoint === "web/main.ts");
const js = basename(entry[0]);
const css = basename(entry[1].cssBundle);
const html = readFileSync(join(root, "web/index.html"), "utf8").replace("%JS%", js).replace("%CSS%", css);
writeFileSync(join(out, "index.html"), html);

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const assets = readdirSync(join(out, "assets")).filter((f) => f.endsWith(".js") || f.endsWith(".css"));
const firstLoad = [join(out, "index.html"), join(out, "assets", js), join(out, "assets", css)];
const firstLoadGzip = firstLoad.reduce((sum, f) => sum + gz(f), 0);
const later = assets.filter((f) => f !== js && f !== css).map((f) => ({ file: f, gzip: gz(join(out, "assets", f)) }));
const sizes = { firstLoadGzip, firstLoad: firstLoad.map((f) => basename(f)), later };
writeFileSync(join(out, "sizes.json"), `${JSON.stringify(sizes, null, 2)}\n`);
if (!quiet) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  process.stdout.write(`build-web: dist/web, first load ${kb(firstLoadGzip)} gzipped; later: ${later.map((l) => `${l.file} ${kb(l.gzip)}`).join(", ")}\n`);
}

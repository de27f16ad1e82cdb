import { execFileSync } from "node:child_process";

/** Integration tests drive the built CLI (dist/), exactly as a user runs it: build it once first. */
export default function setup(): void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}

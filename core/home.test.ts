import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EnvironmentError } from "./errors.js";
import { acquireHomeLock, homeLockHolder } from "./home-lock.js";
import { defaultSwarmName, homePrefix, readHomeMarker, recordPrefix, startPrefix } from "./home-marker.js";
import { ensureHome } from "./home.js";

const base = mkdtempSync(join(tmpdir(), "ca-home-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const dir = (): string => join(base, `h${++n}`);
const mode = (path: string): number => statSync(path).mode & 0o777;

describe("ensureHome", () => {
  it("creates a missing home 0700, marks it with a fresh id, and derives its swarm prefix from it", () => {
    const root = dir();
    const paths = ensureHome(root);
    expect(mode(root)).toBe(0o700);
    expect(paths.identity.id).toMatch(/^[0-9a-f]{32}$/);
    const name = `h${n}-${paths.identity.id.slice(0, 6)}`;
    expect(readHomeMarker(root)).toEqual({ id: paths.identity.id, name });
    expect(homePrefix(root)).toBe(`ca-${name}`);
    expect(ensureHome(root).identity.id).toBe(paths.identity.id);
  });

  it("adopts an empty folder, and one holding only a swarm.yaml", () => {
    const empty = dir();
    mkdirSync(empty, { mode: 0o755 });
    ensureHome(empty);
    expect(mode(empty)).toBe(0o700);
    const withConfig = dir();
    mkdirSync(withConfig);
    writeFileSync(join(withConfig, "swarm.yaml"), "agents: []\n");
    expect(ensureHome(withConfig).identity.id).not.toBe("");
  });

  it("adopts a home made before the marker existed, keeping the legacy prefix `ca` where its tasks are", () => {
    const root = dir();
    for (const sub of ["redis", "shell", "jobs", "output", "logs", "run"]) mkdirSync(join(root, sub), { recursive: true });
    writeFileSync(join(root, "tmux.conf"), "");
    const paths = ensureHome(root);
    expect(paths.identity.legacy).toBe(true);
    expect(startPrefix(root, paths.identity, undefined)).toBe("ca");
    expect(startPrefix(root, paths.identity, "prod")).toBe("ca-prod");
  });

  it("refuses a folder with other content, changing neither its mode nor its content", () => {
    const root = dir();
    mkdirSync(root);
    chmodSync(root, 0o755);
    writeFileSync(join(root, "report.pdf"), "");
    expect(() => ensureHome(root)).toThrow(EnvironmentError);
    expect(mode(root)).toBe(0o755);
    expect(readdirSync(root)).toEqual(["report.pdf"]);
  });

  it.skipIf(process.geteuid?.() !== 0)("refuses a folder that belongs to another user, even one marked (needs root to chown)", () => {
    const root = dir();
    mkdirSync(root);
    writeFileSync(join(root, ".claude-agent-home"), "");
    chownSync(root, 65534, 65534);
    expect(() => ensureHome(root)).toThrow(/belongs to another user \(uid 65534\)/);
  });

  it("keeps its default name when the folder is moved", () => {
    const root = dir();
    const { identity } = ensureHome(root);
    const moved = `${root}-moved`;
    renameSync(root, moved);
    expect(startPrefix(moved, ensureHome(moved).identity, undefined)).toBe(`ca-${identity.name}`);
  });

  it("uses the prefix `up` recorded, for clients", () => {
    const root = dir();
    ensureHome(root);
    recordPrefix(root, "ca-prod");
    expect(homePrefix(root)).toBe("ca-prod");
    expect(readHomeMarker(root)?.prefix).toBe("ca-prod");
  });
});

describe("defaultSwarmName", () => {
  it("keeps the folder's name readable and short, and never empty", () => {
    expect(defaultSwarmName("/root/.claude-agent", "abcdef0123")).toBe("claude-agent-abcdef");
    expect(defaultSwarmName("/srv/My Swarm!", "123456ff")).toBe("my-swarm-123456");
    expect(defaultSwarmName("/", "00000000")).toBe("home-000000");
  });
});

describe("the home's lock", () => {
  it("is held by one process at a time, says who holds it, and is free once released", async () => {
    const root = dir();
    ensureHome(root);
    const lock = await acquireHomeLock(root, "up");
    expect(await homeLockHolder(root)).toEqual(lock.holder);
    await expect(acquireHomeLock(root, "up")).rejects.toThrow(`already running (pid ${process.pid})`);
    await lock.release();
    await lock.release();
    expect(await homeLockHolder(root)).toBeNull();
    const again = await acquireHomeLock(root, "down");
    await expect(acquireHomeLock(root, "up")).rejects.toThrow("being stopped by `claude-agent down`");
    await again.release();
  });
});

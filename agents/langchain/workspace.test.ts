import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PathRefused, Workspace } from "./workspace.js";

describe("the langchain agent's workspace", () => {
  let base: string;
  let root: string;
  let workspace: Workspace;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), "ca-ws-"));
    root = join(base, "work");
    mkdirSync(join(root, "src"), { recursive: true });
    mkdirSync(join(root, ".git"));
    writeFileSync(join(root, "src", "a.txt"), "a");
    writeFileSync(join(base, "outside.txt"), "secret");
    mkdirSync(join(base, "elsewhere"));
    symlinkSync(join(base, "outside.txt"), join(root, "link-out"));
    symlinkSync(join(base, "elsewhere"), join(root, "dir-out"));
    symlinkSync(join(root, "src", "a.txt"), join(root, "link-in"));
    symlinkSync(join(base, "missing"), join(root, "dangling"));
    workspace = new Workspace(root);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it("resolves paths inside, relative or absolute", () => {
    expect(workspace.forRead("src/a.txt")).toBe(join(workspace.root, "src", "a.txt"));
    expect(workspace.forRead(join(root, "src", "a.txt"))).toBe(join(workspace.root, "src", "a.txt"));
    expect(workspace.forRead(".")).toBe(workspace.root);
    expect(workspace.forWrite("new/dir/file.txt")).toBe(join(workspace.root, "new", "dir", "file.txt"));
  });

  it("follows a symbolic link that stays inside", () => {
    expect(workspace.forRead("link-in")).toBe(join(workspace.root, "src", "a.txt"));
    expect(workspace.forWrite("link-in")).toBe(join(workspace.root, "src", "a.txt"));
  });

  it.each([
    ["../outside.txt", /outside the working directory/],
    ["/etc/passwd", /outside the working directory/],
    ["src/../../outside.txt", /outside the working directory/],
    ["link-out", /leads outside the working directory/],
    ["dir-out/x.txt", /leads outside the working directory/],
    ["dangling", /symbolic link that leads nowhere/],
    ["", /expected a path/],
  ])("refuses %j for writing", (path, message) => {
    expect(() => workspace.forWrite(path)).toThrow(PathRefused);
    expect(() => workspace.forWrite(path)).toThrow(message);
  });

  it.each([["../outside.txt"], ["link-out"], ["dir-out"], ["dangling"], ["nope.txt"]])("refuses %j for reading", (path) => {
    expect(() => workspace.forRead(path)).toThrow(PathRefused);
  });

  it("leaves .git to the git tools", () => {
    expect(() => workspace.forWrite(".git/config")).toThrow(/left to the git tools/);
  });
});

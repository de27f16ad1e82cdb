/**
 * The role files live in the agent's config folder, which its program (and
 * so the model's tools, inside the sandbox too) can write; the bridge writes
 * them as the user, outside the sandbox. A symlink the model plants there
 * must not make the bridge copy another file's text into a file the model
 * reads, nor write the role anywhere outside the folder.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeRoleFile } from "../../agents/index.js";

const SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- not for the model";
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function setup(): { config: string; victim: string; secret: string } {
  const root = mkdtempSync(join(tmpdir(), "ca-role-links-"));
  dirs.push(root);
  const victim = join(root, "user-home");
  mkdirSync(victim);
  const secret = join(victim, "id_ed25519");
  writeFileSync(secret, SECRET);
  const config = join(root, "agents", "ops", "config");
  mkdirSync(config, { recursive: true });
  return { config, victim, secret };
}

describe("role files and links planted in the agent's config folder", () => {
  it("a shared instruction file linked to a secret: the secret is neither read into it nor overwritten", () => {
    const { config, secret } = setup();
    symlinkSync(secret, join(config, "AGENTS.md"));
    writeRoleFile("codex", config, "You review.");
    expect(readFileSync(secret, "utf8")).toBe(SECRET);
    expect(lstatSync(join(config, "AGENTS.md")).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(config, "AGENTS.md"), "utf8")).not.toContain("PRIVATE KEY");
  });

  it("gemini's folder replaced by a link to another folder: nothing is written there", () => {
    const { config, victim } = setup();
    symlinkSync(victim, join(config, ".gemini"));
    const file = writeRoleFile("gemini", config, "You test.")!;
    expect(readdirSync(victim)).toEqual(["id_ed25519"]);
    expect(file).toBe(join(config, ".gemini", "GEMINI.md"));
    expect(lstatSync(join(config, ".gemini")).isDirectory()).toBe(true);
    expect(readFileSync(file, "utf8")).toContain("You test.");
  });

  it("our own role folder replaced by a link: the role is written in a real folder of the config, not through the link", () => {
    const { config, victim } = setup();
    symlinkSync(victim, join(config, "claude-agent"));
    writeRoleFile("claude", config, "You deploy.");
    expect(existsSync(join(victim, "role.md"))).toBe(false);
    expect(readFileSync(join(config, "claude-agent", "role.md"), "utf8")).toBe("You deploy.");
  });

  it("the role file itself linked to a file: replaced, the target left as it was", () => {
    const { config, secret } = setup();
    mkdirSync(join(config, "claude-agent"));
    symlinkSync(secret, join(config, "claude-agent", "role.md"));
    writeRoleFile("claude", config, "You deploy.");
    expect(readFileSync(secret, "utf8")).toBe(SECRET);
    expect(readFileSync(join(config, "claude-agent", "role.md"), "utf8")).toBe("You deploy.");
  });
});

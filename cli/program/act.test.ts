import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { exitCodes } from "./act.js";

/** A program of one command, `run [word]`, whose action is `command` wrapped in `act`. */
function program(command: (word: string | undefined, opts: { flag?: boolean }) => Promise<number | undefined>) {
  const exit = exitCodes();
  const cli = new Command("test").exitOverride();
  cli.command("run").argument("[word]").option("--flag").action(exit.act(command));
  return { exit, parse: (...args: string[]) => cli.parseAsync(["node", "test", ...args]) };
}

describe("exitCodes", () => {
  it("keeps the code the command returns, which commander's parseAsync drops", async () => {
    const { exit, parse } = program(async () => 3);
    expect(exit.code()).toBeUndefined();
    await parse("run");
    expect(exit.code()).toBe(3);
  });

  it("takes a command that returns nothing as exit 0", async () => {
    const { exit, parse } = program(async () => undefined);
    await parse("run");
    expect(exit.code()).toBe(0);
  });

  it("passes the command its arguments and options", async () => {
    const seen: unknown[] = [];
    const { exit, parse } = program(async (word, opts) => void seen.push(word, opts.flag));
    await parse("run", "hello", "--flag");
    expect(seen).toEqual(["hello", true]);
    expect(exit.code()).toBe(0);
  });

  it("keeps no code for a command that throws: the error goes on to main's reportError", async () => {
    const { exit, parse } = program(async () => {
      throw new Error("boom");
    });
    await expect(parse("run")).rejects.toThrow("boom");
    expect(exit.code()).toBeUndefined();
  });

  it("keeps none while the command runs", async () => {
    let finish: (code: number) => void = () => undefined;
    const { exit, parse } = program(() => new Promise<number>((resolve) => (finish = resolve)));
    const parsed = parse("run");
    await new Promise((resolve) => setImmediate(resolve));
    expect(exit.code()).toBeUndefined();
    finish(130);
    await parsed;
    expect(exit.code()).toBe(130);
  });
});

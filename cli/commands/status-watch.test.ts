import { describe, expect, it } from "vitest";
import { UsageError } from "../../core/index.js";
import { parseInterval, statusWatch } from "./status-watch.js";

describe("status --watch options", () => {
  it("takes --interval in seconds, 2 by default", () => {
    expect(parseInterval(undefined)).toBe(2);
    expect(parseInterval("0.5")).toBe(0.5);
    expect(parseInterval("10")).toBe(10);
  });

  it("names the option and the bad value", () => {
    for (const bad of ["0", "-1", "abc", "0.1", ""]) expect(() => parseInterval(bad)).toThrow(UsageError);
    expect(() => parseInterval("abc")).toThrow('--interval: expected a number of seconds ≥ 0.2, got "abc"');
  });

  it("refuses --json", async () => {
    await expect(statusWatch({ json: true })).rejects.toThrow("--watch and --json do not go together");
  });
});

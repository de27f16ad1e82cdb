import { describe, expect, it } from "vitest";
import { parseParamArgs } from "../../cli/commands/workflow.js";

describe("--params", () => {
  it("takes name=value pairs as separate words, comma-separated, or both; a value may contain '=' and ','", () => {
    expect(parseParamArgs(["env=prod", "version=1.2,tag=x", "msg=a,b c", "url=http://h/?q=1"])).toEqual({
      env: "prod", version: "1.2", tag: "x", msg: "a,b c", url: "http://h/?q=1",
    });
    expect(parseParamArgs(["empty="])).toEqual({ empty: "" });
  });

  it("refuses a pair without a name or '=' and a name given twice", () => {
    expect(() => parseParamArgs(["env"])).toThrow('--params: expected name=value, got "env"');
    expect(() => parseParamArgs(["=x"])).toThrow(/expected name=value/);
    expect(() => parseParamArgs(["a=1", "a=2"])).toThrow('--params: "a" is given twice');
  });
});

import { describe, expect, it } from "vitest";
import { parseParamArgs, refuseCommaForm } from "../../cli/commands/workflow.js";

describe("--params", () => {
  it("takes one name=value per word; the value is everything after the first '=', commas included", () => {
    expect(parseParamArgs(["env=prod", "msg=a,b c", "url=http://h/?q=1", "multi=line1\nline2"])).toEqual({
      env: "prod",
      msg: "a,b c",
      url: "http://h/?q=1",
      multi: "line1\nline2",
    });
    expect(parseParamArgs(["empty="])).toEqual({ empty: "" });
  });

  it("never lets one value set another param: 'a=1,b=2' is the single value '1,b=2' of a", () => {
    expect(parseParamArgs(["branch=x,env=production"])).toEqual({ branch: "x,env=production" });
    expect(parseParamArgs(["branch=x, env=production"])).toEqual({ branch: "x, env=production" });
  });

  it("refuses a value that looks like the old comma form for a param of the workflow, naming both", () => {
    expect(() => refuseCommaForm({ env: "prod,version=1.2" }, ["env", "version"])).toThrow(
      '--params: the value of "env" contains ",version=": give each param as a word of its own',
    );
    expect(() => refuseCommaForm({ msg: "a,b=c" }, ["msg", "env"])).not.toThrow();
  });

  it("refuses a pair without a name or '=' and a name given twice", () => {
    expect(() => parseParamArgs(["env"])).toThrow('--params: expected name=value, got "env"');
    expect(() => parseParamArgs(["=x"])).toThrow(/expected name=value/);
    expect(() => parseParamArgs([" env=x"])).toThrow(/expected name=value/);
    expect(() => parseParamArgs(["a=1", "a=2"])).toThrow('--params: "a" is given twice');
  });
});

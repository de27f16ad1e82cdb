import { describe, expect, it } from "vitest";
import { layoutPanes, parseNotification } from "./control-protocol.js";

describe("the panes of a %layout-change notification", () => {
  it("reads a one-pane window's size and pane id", () => {
    const { kind, args } = parseNotification("%layout-change @4 b25d,100x30,0,0,7 b25d,100x30,0,0,7 *");
    expect(kind).toBe("layout-change");
    expect(layoutPanes(args)).toEqual([{ paneId: "%7", width: 100, height: 30 }]);
  });

  it("reads every leaf of a split, not the split's own size", () => {
    const args = "@1 5e2f,159x48,0,0{79x48,0,0,1,79x48,80,0[79x24,80,0,2,79x23,80,25,3]} 5e2f,159x48,0,0{79x48,0,0,1,79x48,80,0[79x24,80,0,2,79x23,80,25,3]} *";
    expect(layoutPanes(args)).toEqual([
      { paneId: "%1", width: 79, height: 48 },
      { paneId: "%2", width: 79, height: 24 },
      { paneId: "%3", width: 79, height: 23 },
    ]);
  });

  it("finds no pane in what is not a layout", () => {
    expect(layoutPanes("")).toEqual([]);
    expect(layoutPanes("@1 garbage")).toEqual([]);
  });
});

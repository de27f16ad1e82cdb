import { describe, expect, it } from "vitest";
import { createState } from "../state.js";
import { statusLine } from "./status-bar.js";
import { stripTags } from "./text.js";

describe("the status bar's inbox count", () => {
  it("says how many items wait for a person, and nothing when none does", () => {
    const state = createState("/home");
    expect(stripTags(statusLine(state, 150, "", Date.now()))).not.toContain("waiting for you");
    state.inboxOpen = 3;
    expect(stripTags(statusLine(state, 150, "", Date.now()))).toContain("3 waiting for you (i)");
  });
});

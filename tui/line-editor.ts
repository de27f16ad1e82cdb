import type { KeyEvent } from "./keys.js";

export type EditResult = "editing" | "submit" | "cancel";

/** The one-line input of the submit and filter prompts: printable keys insert, Backspace deletes, Enter submits, Esc cancels. */
export class LineEditor {
  value = "";

  constructor(initial = "") {
    this.value = initial;
  }

  handle(ch: string | undefined, key: KeyEvent): EditResult {
    switch (key.name) {
      case "enter":
        return "submit";
      case "return":
        // blessed reports one Enter twice (as `enter`, then `return`): act on the first only.
        return "editing";
      case "escape":
        return "cancel";
      case "backspace":
        this.value = [...this.value].slice(0, -1).join("");
        return "editing";
    }
    if (key.full === "C-c") return "cancel";
    if (key.full === "C-u") {
      this.value = "";
      return "editing";
    }
    if (ch && !/[\x00-\x1f\x7f]/.test(ch)) this.value += ch;
    return "editing";
  }
}

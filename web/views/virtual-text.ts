/**
 * Long text (a task's output can be megabytes) in a scrolling box that puts
 * only the lines in view, plus a margin, into the page: one element per
 * visible line instead of one text node the browser must lay out whole.
 * Lines do not wrap (each is one row of a fixed height), so the box scrolls
 * sideways for long lines; the text stays text nodes.
 */
import { h, type ComponentChild } from "preact";
import { useMemo, useRef, useState } from "preact/hooks";

const LINE_PX = 18;
const VIEW_LINES = 30;
const MARGIN_LINES = 20;
/** Below this many lines the text is shown whole: nothing to gain, and the browser's find works on all of it. */
const VIRTUAL_FROM = 2000;

/** `lineClass`: a class for a line by its text (a patch's added and removed lines); the text stays text. */
export function VirtualText(props: { text: string; class?: string; lineClass?: (line: string) => string | undefined }): ComponentChild {
  const lines = useMemo(() => props.text.split("\n"), [props.text]);
  const [top, setTop] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const classOf = props.lineClass;
  if (lines.length < VIRTUAL_FROM) {
    if (!classOf) return h("pre", { class: props.class, tabIndex: 0 }, props.text);
    return h(
      "pre",
      { class: props.class, tabIndex: 0 },
      lines.map((line, i) => h("span", { class: classOf(line) }, i < lines.length - 1 ? `${line}\n` : line)),
    );
  }
  const first = Math.max(0, Math.floor(top / LINE_PX) - MARGIN_LINES);
  const last = Math.min(lines.length, Math.ceil((top + VIEW_LINES * LINE_PX) / LINE_PX) + MARGIN_LINES);
  return h(
    "div",
    {
      ref: box,
      class: `virtual-text ${props.class ?? ""}`,
      tabIndex: 0,
      style: { height: `${VIEW_LINES * LINE_PX}px` },
      "data-lines": lines.length,
      onScroll: () => setTop(box.current?.scrollTop ?? 0),
    },
    h(
      "div",
      { style: { height: `${lines.length * LINE_PX}px`, position: "relative" } },
      lines.slice(first, last).map((line, i) =>
        h(
          "div",
          {
            key: first + i,
            class: `line ${classOf?.(line) ?? ""}`.trimEnd(),
            "data-line": first + i + 1,
            style: { top: `${(first + i) * LINE_PX}px`, height: `${LINE_PX}px` },
          },
          line,
        ),
      ),
    ),
  );
}

// @ts-check
// The studio's Insights tab (anywidget ES module): the discussion view of
// discussion_view.js, kept up to date one entry at a time.
//
// `_snapshot` carries the whole payload (sent when the comm opens, on a new
// source and when this view asks after a gap or a page reload); `_tail` one
// new entry per turn, so a turn costs the same however long the log is.

import { renderInto } from "./discussion_view.js";
import { followList } from "./transcript.js";

/**
 * @param {{model: {get(key: string): unknown, on(e: string, f: () => void): void, off(e: string, f: () => void): void,
 *   send(content: unknown): void}, el: HTMLElement}} args
 * @returns {() => void} cleanup
 */
function render({ model, el }) {
  /** @type {Record<string, unknown>} */
  let payload = { kind: "discussion", entries: [] };
  /** @type {unknown[]} */
  let entries = [];
  const draw = () => {
    // Keep the reader's place in the transcript across redraws.
    const before = el.querySelector(".sdv-scroll");
    const atEnd = !before || before.scrollHeight - before.scrollTop - before.clientHeight < 24;
    const top = before?.scrollTop ?? 0;
    renderInto(el, { ...payload, entries });
    const after = el.querySelector(".sdv-scroll");
    if (after) after.scrollTop = atEnd ? after.scrollHeight : top;
  };
  const stop = followList(model, {
    reset(items, snapshot) {
      const given = /** @type {{payload?: unknown}} */ (snapshot).payload;
      payload = given && typeof given === "object" ? /** @type {Record<string, unknown>} */ (given) : payload;
      entries = [...items];
      draw();
    },
    add(item) {
      entries.push(item);
      draw();
    },
  });
  return () => {
    stop();
    el.replaceChildren();
  };
}

export default { render };

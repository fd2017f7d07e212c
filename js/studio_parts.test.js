// The studio's tab strip and log table (parts of transcript.js), driven like a browser would.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import widget, { followList, visibleRows } from "./transcript.js";

/** Minimal stand-in for an anywidget model. */
function fakeModel(state = {}) {
  const attrs = { _snapshot: { epoch: 0, start: 0, entries: [] }, _tail: null, ...state };
  const handlers = new Map();
  return {
    sent: [],
    saved: 0,
    get: (key) => attrs[key],
    set(key, value) {
      attrs[key] = value;
      for (const cb of [...(handlers.get(`change:${key}`) ?? [])]) cb();
    },
    on(event, cb) {
      if (!handlers.has(event)) handlers.set(event, new Set());
      handlers.get(event).add(cb);
    },
    off(event, cb) {
      handlers.get(event)?.delete(cb);
    },
    save_changes() {
      this.saved += 1;
    },
    send(msg) {
      this.sent.push(msg);
    },
    listenerCount: () => [...handlers.values()].reduce((n, s) => n + s.size, 0),
  };
}

const row = (number, speaker, text) => ({ number, speaker, kind: "user · model", text, saw: "" });

let host;
let cleanup;
beforeEach(() => {
  host = document.createElement("div");
  document.body.appendChild(host);
});
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
  host.remove();
});

describe("tab strip", () => {
  it("draws one tab per title and a click selects it", () => {
    const model = fakeModel({ _part: "tabs", titles: ["Branches", "Table", "Insights"], selected_index: 0 });
    cleanup = widget.render({ model, el: host });
    const tabs = () => [...host.querySelectorAll(".sdw-tab")];
    expect(tabs().map((t) => t.textContent)).toEqual(["Branches", "Table", "Insights"]);
    expect(tabs()[0].getAttribute("aria-selected")).toBe("true");
    tabs()[2].click();
    expect(model.get("selected_index")).toBe(2);
    expect(model.saved).toBe(1);
    expect(tabs()[2].getAttribute("aria-selected")).toBe("true");
  });

  it("moves with the arrow keys and wraps around", () => {
    const model = fakeModel({ _part: "tabs", titles: ["A", "B"], selected_index: 0 });
    cleanup = widget.render({ model, el: host });
    host.querySelector(".sdw-tabstrip").dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft", bubbles: true }));
    expect(model.get("selected_index")).toBe(1);
  });

  it("works again after a fresh render (a reloaded page) and leaves no listeners", () => {
    const model = fakeModel({ _part: "tabs", titles: ["A", "B"], selected_index: 1 });
    widget.render({ model, el: host })();
    expect(model.listenerCount()).toBe(0);
    cleanup = widget.render({ model, el: host });
    host.querySelectorAll(".sdw-tab")[0].click();
    expect(model.get("selected_index")).toBe(0);
  });
});

describe("log table", () => {
  it("adds one row per tail and keeps hostile text as text", () => {
    const model = fakeModel({ _part: "table", query: "", speaker: "", sort: "number" });
    model.set("_snapshot", { epoch: 1, start: 0, entries: [row(1, "Ann", "hi")] });
    cleanup = widget.render({ model, el: host });
    model.set("_tail", { epoch: 1, index: 1, entry: row(2, "<b>Eve</b>", "<img src=x onerror=alert(1)>") });
    const cells = [...host.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((td) => td.textContent));
    expect(cells.map((c) => c[1])).toEqual(["Ann", "<b>Eve</b>"]);
    expect(cells[1][3]).toBe("<img src=x onerror=alert(1)>");
    expect(host.querySelector("img")).toBeNull();
    expect(host.querySelector("b")).toBeNull();
  });

  it("filters and sorts as the Python table does", () => {
    const rows = [row(1, "Bo", "a b c"), row(2, "Al", "long reply here and more"), row(3, "Bo", "x")];
    expect(visibleRows(rows, { query: "", speaker: "Bo", sort: "number" }).map((r) => r.number)).toEqual([1, 3]);
    expect(visibleRows(rows, { query: "", speaker: "", sort: "speaker" }).map((r) => r.number)).toEqual([2, 1, 3]);
    expect(visibleRows(rows, { query: "", speaker: "", sort: "length" }).map((r) => r.number)).toEqual([2, 1, 3]);
    expect(visibleRows(rows, { query: "LONG", speaker: "", sort: "number" }).map((r) => r.number)).toEqual([2]);
  });

  it("redraws when the filter changes", () => {
    const model = fakeModel({ _part: "table", query: "", speaker: "", sort: "number" });
    model.set("_snapshot", { epoch: 1, start: 0, entries: [row(1, "Ann", "hi"), row(2, "Bob", "yo")] });
    cleanup = widget.render({ model, el: host });
    model.set("speaker", "Bob");
    expect([...host.querySelectorAll("tbody tr")].length).toBe(1);
  });
});

describe("followList", () => {
  it("asks for the whole list after a gap, then takes it", () => {
    const model = fakeModel();
    const seen = [];
    const stop = followList(model, { reset: (items) => seen.push(["reset", items.length]), add: (_i, n) => seen.push(["add", n]) });
    model.set("_tail", { epoch: 0, index: 0, entry: "a" });
    model.set("_tail", { epoch: 0, index: 2, entry: "c" }); // index 1 was missed
    expect(model.sent).toEqual([{ type: "sync", epoch: 0, have: 1 }]);
    model.set("_snapshot", { epoch: 0, start: 0, entries: ["a", "b", "c"] });
    expect(seen).toEqual([["reset", 0], ["add", 0], ["reset", 3]]);
    stop();
    expect(model.listenerCount()).toBe(0);
  });
});

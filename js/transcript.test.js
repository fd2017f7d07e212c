import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import widget, { CUT_TITLE, appendInline, followList, hueOf, isSendKey, visibleRows } from "./transcript.js";
import { fakeModel } from "./fixtures/fake_model.js";

const HERE = dirname(fileURLToPath(import.meta.url));


const turn = (name, text, extra = {}) => ({ name, text, role: "user", source: "model", model: "tiny", ...extra });

let host;
let cleanup;
function mount(model) {
  cleanup = widget.render({ model, el: host });
  return host.querySelector(".sdw-transcript");
}
const texts = () => [...host.querySelectorAll(".sdw-list .sdw-message .sdw-text")].map((n) => n.textContent);

beforeEach(() => {
  host = document.createElement("div");
  document.body.appendChild(host);
});
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
  host.remove();
});

describe("rendering", () => {
  it("shows the snapshot with names, badges and per-speaker colour", () => {
    const model = fakeModel({
      _snapshot: {
        epoch: 0,
        entries: [
          turn("Alice", "hello", { source: "seed" }),
          turn("Mod", "keep it civil", { role: "moderator" }),
          turn("Bob", "typed by me", { source: "human" }),
          turn("Alice", "again"),
        ],
      },
    });
    mount(model);
    expect(texts()).toEqual(["hello", "keep it civil", "typed by me", "again"]);
    const msgs = host.querySelectorAll(".sdw-list .sdw-message");
    expect(msgs[0].classList.contains("sdw-source-seed")).toBe(true);
    expect(msgs[0].querySelector(".sdw-badge-seed").textContent).toBe("opening message");
    expect(msgs[1].classList.contains("sdw-role-moderator")).toBe(true);
    expect(msgs[1].querySelector(".sdw-badge-moderator").textContent).toBe("moderator");
    expect(msgs[2].querySelector(".sdw-badge-human").textContent).toBe("written by a person");
    expect(msgs[2].querySelector(".sdw-model")).toBeNull(); // no model label on a typed-in message
    expect(msgs[0].querySelector(".sdw-model")).toBeNull(); // nor on an opening message
    expect(msgs[3].querySelector(".sdw-model").textContent).toBe("tiny");
    expect(msgs[0].style.getPropertyValue("--sdw-hue")).toBe(String(hueOf("Alice")));
    expect(msgs[3].style.getPropertyValue("--sdw-hue")).toBe(msgs[0].style.getPropertyValue("--sdw-hue"));
    expect(host.querySelector(".sdw-empty").hidden).toBe(true);
  });

  it("marks a reply cut at the token limit quietly, and only that one", () => {
    const hostile = "<img src=x onerror=alert(1)>Cars go. ";
    const model = fakeModel({
      _snapshot: {
        epoch: 0,
        entries: [
          turn("Alice", hostile, { truncated: true, raw_text: "never shown" }),
          turn("Bob", "whole reply"),
          turn("Carl", "not a real flag", { truncated: "true" }),
        ],
      },
    });
    mount(model);
    const msgs = host.querySelectorAll(".sdw-list .sdw-message");
    const mark = msgs[0].querySelector(".sdw-text .sdw-cut");
    expect(mark.textContent).toBe("\u2026");
    expect(mark.getAttribute("title")).toBe(CUT_TITLE);
    expect(CUT_TITLE).toBe("cut at the token limit");
    expect(msgs[0].querySelector(".sdw-text").textContent).toBe(`${hostile}\u2026`); // text, not markup
    expect(msgs[0].querySelector("img")).toBeNull();
    expect(host.textContent).not.toContain("never shown");
    expect(msgs[1].querySelector(".sdw-cut")).toBeNull();
    expect(msgs[2].querySelector(".sdw-cut")).toBeNull();
  });

  it("shows an empty state", () => {
    mount(fakeModel());
    expect(host.querySelector(".sdw-empty").hidden).toBe(false);
  });

  it("hue is stable and in range", () => {
    expect(hueOf("Alice")).toBe(hueOf("Alice"));
    expect(hueOf("Alice")).not.toBe(hueOf("Bob"));
    for (const n of ["", "x", "Ω", "a long name with spaces"]) {
      expect(hueOf(n)).toBeGreaterThanOrEqual(0);
      expect(hueOf(n)).toBeLessThan(360);
    }
  });
});

describe("incremental updates", () => {
  it("appends a tail without rebuilding existing messages", () => {
    const model = fakeModel({ _snapshot: { epoch: 0, entries: [turn("A", "one"), turn("B", "two")] } });
    mount(model);
    const first = host.querySelector(".sdw-list .sdw-message");
    model.set("_tail", { epoch: 0, index: 2, entry: turn("A", "three") });
    model.set("_tail", { epoch: 0, index: 3, entry: turn("B", "four") });
    expect(texts()).toEqual(["one", "two", "three", "four"]);
    expect(host.querySelector(".sdw-list .sdw-message")).toBe(first); // same node
    expect(model.sent).toEqual([]);
  });

  it("ignores a tail it already has and stale tails from before a reset", () => {
    const model = fakeModel({
      _snapshot: { epoch: 2, entries: [turn("A", "one")] },
      _tail: { epoch: 2, index: 0, entry: turn("A", "one") },
    });
    mount(model);
    expect(texts()).toEqual(["one"]);
    model.set("_tail", { epoch: 1, index: 5, entry: turn("Z", "old") });
    expect(texts()).toEqual(["one"]);
    expect(model.sent).toEqual([]);
  });

  it("applies a tail that is one past a stale snapshot on first render", () => {
    const model = fakeModel({
      _snapshot: { epoch: 0, entries: [turn("A", "one")] },
      _tail: { epoch: 0, index: 1, entry: turn("B", "two") },
    });
    mount(model);
    expect(texts()).toEqual(["one", "two"]);
    expect(model.sent).toEqual([]);
  });

  it("asks Python for a snapshot on a sequence gap and fills in from the reply", () => {
    const model = fakeModel({ _snapshot: { epoch: 0, entries: [turn("A", "one")] } });
    mount(model);
    const first = host.querySelector(".sdw-list .sdw-message");
    model.set("_tail", { epoch: 0, index: 3, entry: turn("D", "four") });
    expect(model.sent).toEqual([{ type: "sync", epoch: 0, have: 1 }]);
    expect(texts()).toEqual(["one"]);
    // A second gap right away does not spam requests.
    model.set("_tail", { epoch: 0, index: 4, entry: turn("E", "five") });
    expect(model.sent.length).toBe(1);
    model.set("_snapshot", {
      epoch: 0,
      entries: ["one", "two", "three", "four", "five"].map((t) => turn("X", t)),
    });
    expect(texts()).toEqual(["one", "two", "three", "four", "five"]);
    expect(host.querySelector(".sdw-list .sdw-message")).toBe(first); // same epoch: no rebuild
  });

  it("asks for a snapshot when a tail comes from a newer epoch", () => {
    const model = fakeModel({ _snapshot: { epoch: 0, entries: [turn("A", "one")] } });
    mount(model);
    model.set("_tail", { epoch: 1, index: 0, entry: turn("B", "new") });
    expect(model.sent).toEqual([{ type: "sync", epoch: 0, have: 1 }]);
  });

  it("rebuilds on a reset (new epoch)", () => {
    const model = fakeModel({ _snapshot: { epoch: 0, entries: [turn("A", "one"), turn("B", "two")] } });
    mount(model);
    model.set("_snapshot", { epoch: 1, entries: [turn("C", "fresh")] });
    expect(texts()).toEqual(["fresh"]);
    model.set("_snapshot", { epoch: 2, entries: [] });
    expect(texts()).toEqual([]);
    expect(host.querySelector(".sdw-empty").hidden).toBe(false);
  });

  it("a second view of the same model shows the full transcript", () => {
    const model = fakeModel({ _snapshot: { epoch: 0, entries: [turn("A", "one")] } });
    mount(model);
    model.set("_tail", { epoch: 0, index: 1, entry: turn("B", "two") });
    const other = document.createElement("div");
    document.body.appendChild(other);
    const cleanup2 = widget.render({ model, el: other });
    expect(other.querySelectorAll(".sdw-list .sdw-message").length).toBe(2);
    cleanup2();
    other.remove();
  });
});

describe("streaming", () => {
  it("shows the in-progress text with a writing state and clears it", () => {
    const model = fakeModel({ _snapshot: { epoch: 0, entries: [turn("A", "one")] } });
    mount(model);
    model.set("_stream", { name: "Bob", role: "user", text: "" });
    const live = host.querySelector(".sdw-streaming");
    expect(live).not.toBeNull();
    expect(live.querySelector(".sdw-writing").textContent).toContain("writing");
    expect(live.querySelector(".sdw-name").textContent).toBe("Bob");
    model.set("_stream", { name: "Bob", role: "user", text: "Hel" });
    model.set("_stream", { name: "Bob", role: "user", text: "Hello <b>there</b>" });
    expect(host.querySelector(".sdw-streaming")).toBe(live); // updated in place
    expect(live.querySelector(".sdw-text").textContent).toBe("Hello <b>there</b>");
    expect(live.querySelector("b")).toBeNull();
    expect(live.querySelector(".sdw-branch")).toBeNull();
    model.set("_stream", null);
    model.set("_tail", { epoch: 0, index: 1, entry: turn("Bob", "Hello there") });
    expect(host.querySelector(".sdw-streaming")).toBeNull();
    expect(texts()).toEqual(["one", "Hello there"]);
  });

  it("a moderator stream is styled as moderator", () => {
    const model = fakeModel();
    mount(model);
    model.set("_stream", { name: "Mod", role: "moderator", text: "x" });
    expect(host.querySelector(".sdw-streaming").classList.contains("sdw-role-moderator")).toBe(true);
    expect(host.querySelector(".sdw-empty").hidden).toBe(true);
  });
});

describe("untrusted text", () => {
  const payloads = [
    "<img src=x onerror=alert(1)>",
    "<script>window.pwned=1</script>",
    '<a href="javascript:alert(1)">x</a>',
    "**<img src=x onerror=alert(1)>**",
    "`<script>alert(1)</script>`",
    "*<iframe src=//evil>*",
  ];

  it("stays literal text in messages, names, models and streams", () => {
    const model = fakeModel({
      _snapshot: { epoch: 0, entries: payloads.map((p) => turn(p, p, { model: p, role: p, source: p })) },
    });
    mount(model);
    model.set("_tail", { epoch: 0, index: payloads.length, entry: turn("x", payloads[0]) });
    model.set("_stream", { name: payloads[1], role: payloads[0], text: payloads[1] });
    const root = host.querySelector(".sdw-transcript");
    expect(root.querySelectorAll("img, script, a, iframe").length).toBe(0);
    const all = root.textContent;
    for (const p of ["<img src=x onerror=alert(1)>", "<script>window.pwned=1</script>", "<iframe src=//evil>"]) {
      expect(all).toContain(p);
    }
    expect(texts()[0]).toBe(payloads[0]);
    for (const m of root.querySelectorAll(".sdw-message")) {
      // Unknown roles/sources never become class names.
      for (const c of m.classList) expect(c).toMatch(/^sdw-[a-z-]+$/);
    }
    expect(globalThis.pwned).toBeUndefined();
  });
});

describe("markdown subset", () => {
  const html = (text, md = true) => {
    const div = document.createElement("div");
    appendInline(div, text, md);
    return div.innerHTML;
  };

  it("renders bold, italic and inline code as elements", () => {
    expect(html("a **b** c")).toBe("a <strong>b</strong> c");
    expect(html("an *em* and _em_")).toBe("an <em>em</em> and <em>em</em>");
    expect(html("use `x < y`")).toBe("use <code>x &lt; y</code>");
  });

  it("leaves stray markers and word-internal underscores alone", () => {
    expect(html("2 * 3 * 4")).toBe("2 * 3 * 4");
    expect(html("snake_case_name")).toBe("snake_case_name");
    expect(html("** not bold **")).toBe("** not bold **");
  });

  it("can be turned off", () => {
    expect(html("a **b**", false)).toBe("a **b**");
    const model = fakeModel({ _snapshot: { epoch: 0, entries: [turn("A", "**b**")] } });
    mount(model);
    expect(host.querySelector(".sdw-text strong")).not.toBeNull();
    model.set("markdown", false);
    expect(host.querySelector(".sdw-text strong")).toBeNull();
    expect(texts()).toEqual(["**b**"]);
  });
});

describe("branch action", () => {
  it("sends the entry index to Python", () => {
    const model = fakeModel({ _snapshot: { epoch: 0, entries: [turn("A", "one"), turn("B", "two")] } });
    mount(model);
    model.set("_tail", { epoch: 0, index: 2, entry: turn("C", "three") });
    const buttons = host.querySelectorAll(".sdw-branch");
    expect(buttons.length).toBe(3);
    expect(buttons[0].textContent).toContain("branch from here");
    buttons[1].click();
    buttons[2].click();
    expect(model.sent).toEqual([
      { type: "branch", index: 1 },
      { type: "branch", index: 2 },
    ]);
  });
});

describe("auto-scroll", () => {
  function fakeScroll(scroller, { height, client }) {
    let top = 0;
    Object.defineProperty(scroller, "scrollHeight", { configurable: true, get: () => height.value });
    Object.defineProperty(scroller, "clientHeight", { configurable: true, get: () => client });
    Object.defineProperty(scroller, "scrollTop", {
      configurable: true,
      get: () => top,
      set: (v) => {
        top = Math.max(0, Math.min(v, height.value - client));
      },
    });
  }

  it("follows new content at the bottom, and offers a jump when scrolled up", () => {
    const model = fakeModel({ _snapshot: { epoch: 0, entries: [turn("A", "one")] } });
    const root = mount(model);
    const scroller = root.querySelector(".sdw-scroll");
    const jump = root.querySelector(".sdw-jump");
    const height = { value: 1000 };
    fakeScroll(scroller, { height, client: 200 });

    // At the bottom: new content scrolls into view.
    scroller.scrollTop = 800;
    scroller.dispatchEvent(new Event("scroll"));
    height.value = 1100;
    model.set("_tail", { epoch: 0, index: 1, entry: turn("B", "two") });
    expect(scroller.scrollTop).toBe(900);
    expect(jump.hidden).toBe(true);

    // Scrolled up: position kept, affordance shown.
    scroller.scrollTop = 100;
    scroller.dispatchEvent(new Event("scroll"));
    height.value = 1200;
    model.set("_tail", { epoch: 0, index: 2, entry: turn("C", "three") });
    expect(scroller.scrollTop).toBe(100);
    expect(jump.hidden).toBe(false);
    model.set("_stream", { name: "D", role: "user", text: "tok" });
    expect(scroller.scrollTop).toBe(100);

    // Clicking the affordance jumps down and hides it.
    jump.click();
    expect(scroller.scrollTop).toBe(1000);
    expect(jump.hidden).toBe(true);

    // Scrolling back to the bottom by hand also hides it and re-pins.
    scroller.scrollTop = 0;
    scroller.dispatchEvent(new Event("scroll"));
    model.set("_stream", { name: "D", role: "user", text: "tok tok" });
    expect(jump.hidden).toBe(false);
    scroller.scrollTop = 1000;
    scroller.dispatchEvent(new Event("scroll"));
    expect(jump.hidden).toBe(true);
  });
});

describe("cleanup", () => {
  it("removes model listeners and DOM on unmount", () => {
    const model = fakeModel({ _snapshot: { epoch: 0, entries: [turn("A", "one")] } });
    mount(model);
    expect(model.listenerCount()).toBeGreaterThan(0);
    cleanup();
    cleanup = undefined;
    expect(model.listenerCount()).toBe(0);
    expect(host.querySelector(".sdw-transcript")).toBeNull();
    model.set("_tail", { epoch: 0, index: 1, entry: turn("B", "two") }); // no throw, no DOM
    expect(host.children.length).toBe(0);
  });
});

describe("the shared wire recording (js/fixtures/wire_sequence.json)", () => {
  it("replays every step the way Python recorded it", async () => {
    const sequence = JSON.parse(readFileSync(join(HERE, "fixtures", "wire_sequence.json"), "utf8"));
    const [opening, ...steps] = sequence.steps;
    const model = fakeModel(opening.state);
    mount(model);
    for (const step of steps) {
      if (step.from === "python") {
        if (step.missed) continue; // this view never got it: the next tail shows a gap
        for (const [key, value] of Object.entries(step.state)) model.set(key, value);
      } else if (step.message.type === "sync") {
        expect(model.sent.at(-1)).toEqual(step.message); // the view asked by itself
      } else {
        const before = model.sent.length;
        host.querySelector(`.sdw-branch[data-index="${step.message.index}"]`).click();
        expect(model.sent.slice(before)).toEqual([step.message]);
      }
    }
    expect(texts()).toEqual(sequence.final.texts.map((t) => t.replace(/\*\*/g, "")));
    expect([...host.querySelectorAll(".sdw-list .sdw-index")].map((n) => n.textContent)).toEqual(sequence.final.numbers);
    expect(host.querySelector(".sdw-streaming")).toBeNull();
  });
});

describe("the message box (composer)", () => {
  const composerModel = (state = {}) =>
    fakeModel({ _part: "composer", value: "", placeholder: "Say it", disabled: false, rows: 2, ...state });
  const mountBox = (model) => {
    cleanup = widget.render({ model, el: host });
    return host.querySelector("textarea.sdw-composer");
  };
  const type = (box, text) => {
    box.value = text;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const press = (box, init) => {
    const event = new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true, ...init });
    box.dispatchEvent(event);
    return event;
  };

  it("is a textarea, not a transcript, with the traits applied", () => {
    const box = mountBox(composerModel({ value: "draft", rows: 3 }));
    expect(host.querySelector(".sdw-transcript")).toBeNull();
    expect(box.value).toBe("draft");
    expect(box.placeholder).toBe("Say it");
    expect(box.getAttribute("rows")).toBe("3");
  });

  it("syncs what is typed", () => {
    const model = composerModel();
    const box = mountBox(model);
    type(box, "hello");
    expect(model.get("value")).toBe("hello");
    expect(model.sent).toEqual([]);
  });

  it.each([
    ["Ctrl+Enter", { ctrlKey: true }],
    ["Cmd+Enter", { metaKey: true }],
  ])("%s sends the text and does not reach the notebook", (_name, init) => {
    const model = composerModel();
    const box = mountBox(model);
    let reachedNotebook = false;
    const outer = () => {
      reachedNotebook = true;
    };
    document.body.addEventListener("keydown", outer);
    type(box, "Stay on topic, please.");
    const event = press(box, init);
    document.body.removeEventListener("keydown", outer);
    expect(model.sent).toEqual([{ type: "send", text: "Stay on topic, please." }]);
    expect(event.defaultPrevented).toBe(true);
    expect(reachedNotebook).toBe(false);
  });

  it("plain Enter and Shift+Enter make a new line instead of sending", () => {
    const model = composerModel();
    const box = mountBox(model);
    type(box, "line one");
    expect(press(box, {}).defaultPrevented).toBe(false);
    expect(press(box, { shiftKey: true }).defaultPrevented).toBe(false);
    expect(model.sent).toEqual([]);
    expect(isSendKey(new KeyboardEvent("keydown", { key: "a", ctrlKey: true }))).toBe(false);
  });

  it("sends nothing while disabled, and follows Python's value", () => {
    const model = composerModel({ disabled: true, value: "kept" });
    const box = mountBox(model);
    expect(box.disabled).toBe(true);
    press(box, { ctrlKey: true });
    expect(model.sent).toEqual([]);
    model.set("disabled", false);
    model.set("value", "");
    expect(box.disabled).toBe(false);
    expect(box.value).toBe("");
  });

  it("removes its listeners on unmount", () => {
    const model = composerModel();
    mountBox(model);
    cleanup();
    cleanup = undefined;
    expect(model.listenerCount()).toBe(0);
    expect(host.children.length).toBe(0);
  });

  it("replays the recorded message-box exchange", () => {
    const { composer } = JSON.parse(readFileSync(join(HERE, "fixtures", "wire_sequence.json"), "utf8"));
    const [opening, ...steps] = composer;
    const model = fakeModel(opening.state);
    const box = mountBox(model);
    for (const step of steps) {
      if (step.from === "python") {
        for (const [key, value] of Object.entries(step.state)) model.set(key, value);
        expect(box.value).toBe(step.state.value);
      } else if (step.state) {
        type(box, step.state.value);
        expect(model.get("value")).toBe(step.state.value);
      } else {
        press(box, { ctrlKey: true });
        expect(model.sent.at(-1)).toEqual(step.message);
      }
    }
    expect(box.value).toBe("");
  });
});

// The studio's tab strip and log table (parts of transcript.js), driven like a browser would.
const row = (number, speaker, text) => ({ number, speaker, kind: "user · model", text, saw: "" });

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

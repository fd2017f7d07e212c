import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import view, {
  GRAPH,
  MIME_TYPE,
  edgeRoute,
  edgesFromEntries,
  layers,
  plural,
  parseJsonl,
  renderInto,
  summarize,
  toPayload,
  when,
  wordCount,
} from "./discussion_view.js";
import { hueOf } from "./transcript.js";

const HOSTILE = [
  "<img src=x onerror=alert(1)>",
  "<script>window.pwned=1</script>",
  '"><svg onload=alert(2)>',
  "**<b>bold</b>** `<i>code</i>`",
];

const turn = (name, text, extra = {}) => ({ name, text, model: "tiny", prompt: "", role: "user", source: "model", ...extra });

const ENTRIES = [
  turn("Alice", "phones help kids learn", { source: "seed" }),
  turn("Bob", "they distract"),
  turn("Alice", "only without rules in class"),
  turn("Mod", "please keep it civil", { role: "moderator" }),
  turn("Bob", "fine"),
];

let host;
beforeEach(() => {
  host = document.createElement("div");
  document.body.appendChild(host);
});
afterEach(() => host.remove());

const texts = (root = host) => [...root.querySelectorAll(".sdw-list .sdw-message .sdw-text")].map((n) => n.textContent);

describe("statistics", () => {
  it("counts words like Python's str.split()", () => {
    expect(wordCount("  a  b\tc\nd ")).toBe(4);
    expect(wordCount("")).toBe(0);
    expect(wordCount(undefined)).toBe(0);
  });

  it("computes shares, lengths and transitions by hand", () => {
    const s = summarize(ENTRIES);
    expect(s.totalTurns).toBe(5);
    expect(s.totalWords).toBe(4 + 2 + 5 + 4 + 1);
    expect(s.speakers.map((x) => [x.name, x.turns, x.words])).toEqual([
      ["Alice", 2, 9],
      ["Bob", 2, 3],
      ["Mod", 1, 4],
    ]);
    expect(s.speakers[0].turnShare).toBeCloseTo(0.4);
    expect(s.speakers[0].wordShare).toBeCloseTo(9 / 16);
    expect(s.lengths.map((l) => l.words)).toEqual([4, 2, 5, 4, 1]);
    // Alice->Bob, Bob->Alice, Alice->Mod, Mod->Bob
    expect(s.transitions.names).toEqual(["Alice", "Bob", "Mod"]);
    expect(s.transitions.counts).toEqual([
      [0, 1, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it("has no NaN for an empty discussion", () => {
    const s = summarize([]);
    expect(s).toEqual({ speakers: [], lengths: [], transitions: { names: [], counts: [] }, totalTurns: 0, totalWords: 0 });
  });

  it("derives who-read-whom edges from `seen`", () => {
    const entries = [turn("A", "x", { seen: [] }), turn("B", "y", { seen: [0] }), turn("A", "z", { seen: [0, 1] }), turn("M", "w", { seen: [0, 1, 2], role: "moderator" })];
    expect(edgesFromEntries(entries)).toEqual([
      { from: "A", to: "B", count: 1 },
      { from: "B", to: "A", count: 1 },
      { from: "A", to: "M", count: 2 },
      { from: "B", to: "M", count: 1 },
    ]);
    const col = layers(["A", "B", "M"], edgesFromEntries(entries), ["A", "B", "A", "M"]);
    expect([...col.entries()]).toEqual([["A", 0], ["B", 1], ["M", 2]]);
  });
});

describe("reading files and payloads", () => {
  it("reads Logs.export JSON", () => {
    const p = toPayload({ timestamp: "2026-11-21T10:00:00Z", logs: ENTRIES, id: "abc" });
    expect(p.kind).toBe("discussion");
    expect(p.entries).toHaveLength(5);
    expect(p.metadata.created).toBe("2026-11-21T10:00:00Z");
  });

  it("reads an autosave file and skips a line cut off mid-write", () => {
    const lines = [
      JSON.stringify({ header: { format: "syndisco-widgets/logs-jsonl-1", created: "T", metadata: { models: ["tiny"] } } }),
      JSON.stringify({ entry: ENTRIES[0] }),
      JSON.stringify({ entry: ENTRIES[1] }),
      '{"entry": {"name": "Ali',
    ];
    const p = parseJsonl(lines.join("\n"));
    expect(p.kind).toBe("discussion");
    expect(p.entries.map((e) => e.name)).toEqual(["Alice", "Bob"]);
    expect(p.metadata.models).toEqual(["tiny"]);
    expect(p.notes[0]).toMatch(/still being written/);
    // The same text through the generic entry point.
    expect(toPayload(lines.join("\n")).entries).toHaveLength(2);
  });

  it("names the broken line of a damaged autosave file", () => {
    const p = toPayload('{"header": {}}\nnot json\n{"entry": {"name": "a", "text": "b"}}\n');
    expect(p.kind).toBe("error");
    expect(p.message).toMatch(/Line 2/);
  });

  it("reads an experiment manifest", () => {
    const manifest = {
      seed: 3,
      plan: [
        { index: 0, users: ["A", "B"], seed: 11 },
        { index: 1, users: ["B", "C"], seed: 12 },
      ],
      runs: { 0: { file: "discussion-1.jsonl", status: "done" } },
    };
    const p = toPayload(manifest);
    expect(p.kind).toBe("experiment");
    expect(p.discussions.map((d) => [d.file, d.status])).toEqual([
      ["discussion-1.jsonl", "done"],
      [null, "not started"],
    ]);
  });

  it("reads a structure's to_json and marks the moderator's final answer", () => {
    const p = toPayload({
      structure: { structure: "Chain", agents: ["A", "B"], task: "Pick one", cycles: 1 },
      logs: [turn("A", "one", { seen: [] }), turn("B", "two", { seen: [0] }), turn("Mod", "final: two", { role: "moderator", seen: [0, 1] })],
    });
    expect(p.kind).toBe("structure");
    expect(p.moderator).toBe("Mod");
    expect(p.final).toBe("final: two");
    expect(p.nodes).toEqual(["A", "B", "Mod"]);
  });

  it("refuses unknown JSON and newer formats with a clear message", () => {
    expect(toPayload({ hello: 1 }).message).toMatch(/Open With/);
    expect(toPayload({ kind: "discussion", version: 99, entries: [] }).message).toMatch(/format 99/);
    expect(toPayload(null).kind).toBe("error");
  });
});

describe("rendering", () => {
  it("exports the MIME type the Python side writes", () => {
    expect(MIME_TYPE).toBe("application/vnd.syndisco.discussion+json");
  });

  it("draws the transcript read-only, plus the summary strip", () => {
    renderInto(host, { kind: "discussion", version: 1, title: "Phones", metadata: {}, entries: ENTRIES });
    expect(texts()).toEqual(ENTRIES.map((e) => e.text));
    expect(host.querySelector(".sdw-branch")).toBeNull();
    renderInto(host, { kind: "discussion", entries: [turn("A", "typed", { model: "hardcoded" }), turn("B", "generated")] });
    expect([...host.querySelectorAll(".sdw-model")].map((n) => n.textContent)).toEqual(["tiny"]);
    renderInto(host, { kind: "discussion", version: 1, title: "Phones", metadata: {}, entries: ENTRIES });
    expect(host.querySelector(".sdv-title").textContent).toBe("Phones");
    const shares = [...host.querySelectorAll(".sdv-share")];
    expect(shares.map((s) => s.querySelector(".sdv-share-name").textContent)).toEqual(["Alice", "Bob", "Mod"]);
    expect(shares[0].querySelector(".sdv-bar-turns .sdv-fill").style.width).toBe("40%");
    expect(shares[0].querySelector(".sdv-bar-words .sdv-fill").style.width).toBe("56%");
    expect(shares[0].style.getPropertyValue("--sdw-hue")).toBe(String(hueOf("Alice")));
    expect(host.querySelectorAll(".sdv-turn-bar")).toHaveLength(5);
    const cells = [...host.querySelectorAll(".sdv-matrix tr")].slice(1).map((r) => [...r.querySelectorAll("td")].map((c) => c.textContent));
    expect(cells).toEqual([
      ["·", "1", "1"],
      ["1", "·", "·"],
      ["·", "1", "·"],
    ]);
    expect(host.querySelector(".sdw-role-moderator")).not.toBeNull();
  });

  it("keeps hostile text inert in every place it appears", () => {
    const entries = HOSTILE.map((text, i) => turn(HOSTILE[(i + 1) % HOSTILE.length], text, { model: HOSTILE[i] }));
    renderInto(host, { kind: "discussion", title: HOSTILE[0], metadata: { created: HOSTILE[1], condition: HOSTILE[2] }, entries });
    expect(host.querySelectorAll("img, script, b, i, iframe, [onerror], [onload]")).toHaveLength(0);
    expect(texts()).toEqual(HOSTILE.map((t, i) => (i === 3 ? "<b>bold</b> <i>code</i>" : t)));
    expect(host.querySelector(".sdv-title").textContent).toBe(HOSTILE[0]);
    // In the structure view and the experiment table too.
    renderInto(host, {
      structure: { structure: "Graph", agents: [HOSTILE[0], HOSTILE[1]], edges: [[HOSTILE[0], HOSTILE[1]]], task: HOSTILE[2] },
      logs: [turn(HOSTILE[0], HOSTILE[3], { seen: [] }), turn(HOSTILE[1], HOSTILE[0], { seen: [0] })],
    });
    expect(host.querySelectorAll("img, script, b, i, iframe")).toHaveLength(0);
    renderInto(host, { kind: "experiment", discussions: [{ index: 0, users: [HOSTILE[0]], seed: HOSTILE[1], design: { condition: HOSTILE[2] }, entries: [turn("A", HOSTILE[0])] }] });
    host.querySelector(".sdv-open").click();
    expect(host.querySelectorAll("img, script, b, i, iframe")).toHaveLength(0);
    expect(host.textContent).toContain(HOSTILE[0]);
  });

  it("draws a structure: edges, nodes, answers one click away, final answer marked", () => {
    renderInto(host, {
      kind: "structure",
      version: 1,
      title: "Graph of 3 agents",
      settings: { structure: "Graph", agents: ["A", "B", "C"], edges: [["A", "C"], ["B", "C"]], task: "Decide" },
      entries: [
        turn("A", "a says", { seen: [], cycle: 1 }),
        turn("B", "b says", { seen: [], cycle: 1 }),
        turn("C", "c says", { seen: [0, 1], cycle: 1 }),
        turn("Mod", "the answer is c", { role: "moderator", seen: [0, 1, 2], cycle: 1 }),
      ],
    });
    expect(host.querySelectorAll(".sdv-edge")).toHaveLength(2 + 3);
    const nodes = [...host.querySelectorAll(".sdv-node")];
    expect(nodes.map((n) => n.textContent.replace("★ final answer", ""))).toEqual(["A", "B", "C", "Mod"]);
    expect(host.querySelector(".sdv-node-moderator .sdv-final-mark")).not.toBeNull();
    // The moderator's final answer is shown first, marked.
    const panel = host.querySelector(".sdv-answers");
    expect(panel.querySelector(".sdv-final .sdw-text").textContent).toBe("the answer is c");
    expect(panel.querySelector(".sdv-badge-final").textContent).toBe("final answer");
    nodes[2].dispatchEvent(new Event("click"));
    expect([...panel.querySelectorAll(".sdw-text")].map((n) => n.textContent)).toEqual(["c says"]);
    expect(nodes[2].classList.contains("sdv-selected")).toBe(true);
    expect(panel.querySelector(".sdv-final")).toBeNull();
    expect(host.querySelector(".sdv-task").textContent).toBe("Task: Decide");
  });

  it("shows an experiment as a table; each discussion one click away", () => {
    const linked = [];
    renderInto(
      host,
      {
        kind: "experiment",
        version: 1,
        title: "Experiment",
        metadata: { seed: 1 },
        discussions: [
          { index: 0, users: ["A", "B"], seed: 5, status: "done", design: { model: "tiny", condition: "x" }, turns: 2, words: 3, entries: [turn("A", "hi"), turn("B", "hi there")] },
          { index: 1, users: ["B", "C"], seed: 6, status: "running", file: "run-2.jsonl", design: {}, turns: null, words: null, entries: null },
        ],
      },
      { linkFile: (anchor, path) => linked.push([anchor.textContent, path]) },
    );
    const rows = [...host.querySelectorAll(".sdv-row")];
    expect(rows).toHaveLength(2);
    expect([...host.querySelectorAll(".sdv-table th")].map((t) => t.textContent)).toEqual(["#", "users", "seed", "model", "condition", "turns", "words", "status", ""]);
    expect(linked).toEqual([["open", "run-2.jsonl"]]);
    rows[0].querySelector("button.sdv-open").click();
    expect(rows[0].classList.contains("sdv-selected")).toBe(true);
    expect(texts(host.querySelector(".sdv-open-discussion"))).toEqual(["hi", "hi there"]);
  });

  it("reads the shared Python fixture the same way the Python summary does", () => {
    const fixture = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../tests/viewer/fixtures/discussion_payload.json"), "utf-8"));
    const s = summarize(toPayload(fixture).entries);
    expect(s.speakers.map((x) => ({ name: x.name, turns: x.turns, words: x.words }))).toEqual(
      fixture.summary.speakers.map((x) => ({ name: x.name, turns: x.turns, words: x.words })),
    );
    expect(s.transitions).toEqual(fixture.summary.transitions);
    expect(s.lengths.map((l) => l.words)).toEqual(fixture.summary.lengths);
  });
});

describe("anywidget entry", () => {
  it("redraws when the payload trait changes and cleans up", () => {
    const handlers = new Map();
    let payload = { kind: "discussion", entries: [turn("A", "one")] };
    const model = {
      get: () => payload,
      on: (e, f) => handlers.set(e, f),
      off: (e) => handlers.delete(e),
    };
    const cleanup = view.render({ model, el: host });
    expect(texts()).toEqual(["one"]);
    payload = { kind: "discussion", entries: [turn("A", "one"), turn("B", "two")] };
    handlers.get("change:payload")();
    expect(texts()).toEqual(["one", "two"]);
    cleanup();
    expect(handlers.size).toBe(0);
    expect(host.children).toHaveLength(0);
  });
});

/** Axis-aligned segments of a polyline path ("M x y L x y ..."); curves have none. */
function segments(d) {
  if (d.includes("C")) return [];
  const pts = d.replace(/[ML]/g, " ").trim().split(/\s+/).map(Number);
  const out = [];
  for (let i = 2; i + 1 < pts.length; i += 2) out.push([pts[i - 2], pts[i - 1], pts[i], pts[i + 1]]);
  return out;
}

/** True if the segment passes through the inside of the box. */
function crosses([x1, y1, x2, y2], { x, y, w, h }) {
  const [lx, hx, ly, hy] = [Math.min(x1, x2), Math.max(x1, x2), Math.min(y1, y2), Math.max(y1, y2)];
  return lx < x + w && hx > x && ly < y + h && hy > y;
}

describe("structure drawing", () => {
  let host;
  beforeEach(() => {
    host = document.createElement("div");
    document.body.appendChild(host);
  });
  afterEach(() => host.remove());

  it("routes every arrow around the boxes it does not join (the moderator's too)", () => {
    renderInto(host, {
      kind: "structure",
      version: 1,
      settings: { structure: "Graph", agents: ["A", "B", "C"], edges: [["A", "B"], ["B", "C"], ["A", "C"]] },
      entries: [
        turn("A", "a", { seen: [] }),
        turn("B", "b", { seen: [0] }),
        turn("C", "c", { seen: [0, 1] }),
        turn("Mod", "final", { role: "moderator", seen: [0, 1, 2] }),
      ],
    });
    const boxes = new Map(
      [...host.querySelectorAll(".sdv-node")].map((g) => {
        const r = g.querySelector("rect");
        const box = { x: +r.getAttribute("x"), y: +r.getAttribute("y"), w: +r.getAttribute("width"), h: +r.getAttribute("height") };
        return [g.getAttribute("aria-label").split(":")[0], box];
      }),
    );
    const edges = [...host.querySelectorAll(".sdv-edge")];
    expect(edges.map((e) => `${e.dataset.from}>${e.dataset.to}`).sort()).toEqual(["A>B", "A>C", "A>Mod", "B>C", "B>Mod", "C>Mod"]);
    let routed = 0;
    for (const edge of edges) {
      const parts = segments(edge.getAttribute("d"));
      routed += parts.length ? 1 : 0;
      for (const [name, box] of boxes) {
        if (name === edge.dataset.from || name === edge.dataset.to) continue;
        for (const part of parts) expect(crosses(part, box), `${edge.dataset.from}>${edge.dataset.to} crosses ${name}`).toBe(false);
      }
    }
    expect(routed).toBe(3); // A>C, A>Mod, B>Mod hop over a column
    const lanes = edges.filter((e) => segments(e.getAttribute("d")).length).map((e) => segments(e.getAttribute("d"))[2][1]);
    expect(new Set(lanes).size).toBe(3); // one lane each, above every box
    expect(Math.max(...lanes)).toBeLessThan(Math.min(...[...boxes.values()].map((b) => b.y)));
  });

  it("a neighbour's arrow is a curve through the gap between their columns", () => {
    const { d, points } = edgeRoute({ x: 30, y: 10 }, { x: 30 + GRAPH.colWidth, y: 64 }, 0);
    expect(d.startsWith("M160 27 C")).toBe(true);
    expect(points).toEqual([[30 + GRAPH.nodeW, 27], [30 + GRAPH.colWidth, 81]]);
  });

  it("a long chain shrinks to fit instead of cutting off the moderator", () => {
    const agents = ["A", "B", "C", "D", "E"];
    renderInto(host, {
      kind: "structure",
      version: 1,
      settings: { structure: "Chain", agents },
      entries: [...agents.map((a, i) => turn(a, a, { seen: i ? [i - 1] : [] })), turn("Mod", "end", { role: "moderator", seen: [4] })],
    });
    const drawing = host.querySelector(".sdv-graph");
    const style = drawing.getAttribute("style");
    expect(style).toContain("max-width: 100%");
    expect(style).toContain("height: auto");
    expect(Number(/min-width: (\d+)px/.exec(style)[1])).toBeLessThan(Number(drawing.getAttribute("width")));
    expect(host.querySelector(".sdv-title").textContent).toBe("Chain of 5 agents");
  });
});

describe("wording", () => {
  it("writes dates for people and counts with the right noun", () => {
    expect(when("2026-12-03T08:10:44.123+00:00")).toBe("3 Dec 2026, 08:10 UTC");
    expect(when("yesterday")).toBe("yesterday");
    expect([plural(1, "turn"), plural(2, "turn"), plural(2, "entry", "entries")]).toEqual(["1 turn", "2 turns", "2 entries"]);
  });

  it("shows a study export's student, branch and study", () => {
    const host = document.createElement("div");
    renderInto(host, {
      format: "syndisco-widgets/study-export-1",
      study: { name: "town budget", version: 1 },
      participant: "Maria",
      branch: "branch 1",
      exported: "2026-12-03T09:00:00+00:00",
      run: { seed: 4, models: [{ name: "SmolLM2", backend: "TransformersModel" }] },
      timestamp: "2026-12-03T08:00:00+00:00",
      logs: [turn("A", "one")],
    });
    expect(host.querySelector(".sdv-title").textContent).toBe("town budget: Maria's branch 1");
    const facts = [...host.querySelectorAll(".sdv-fact")].map((f) => f.textContent);
    expect(facts).toEqual(expect.arrayContaining(["1 turn", "1 speaker", "by Maria", "branch: branch 1", "study: town budget", "seed 4", "model: SmolLM2", "created 3 Dec 2026, 09:00 UTC"]));
  });
});
